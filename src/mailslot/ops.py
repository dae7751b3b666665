"""Liveness and readiness probes, and the metrics on the API's port."""

from __future__ import annotations

import anyio
from fastapi import APIRouter, Request, Response
from pydantic import BaseModel
from sqlalchemy import text

from mailslot import metrics
from mailslot.deps import AppSettings, Reads, State
from mailslot.errors import NotFound, ServiceUnavailable
from mailslot.openapi import problems

router = APIRouter(tags=["operations"])
# For Prometheus, not API users: out of the OpenAPI document (docs/monitoring.md).
metrics_router = APIRouter(include_in_schema=False)


class Health(BaseModel):
    status: str


@router.get("/healthz")
async def get_healthz() -> Health:
    """The process is up."""
    return Health(status="ok")


@router.get("/readyz", responses=problems(503))
async def get_readyz(reads: Reads, state: State) -> Health:
    """The database answers, and the server is not shutting down."""
    if state.draining.draining:
        # Told to exit: a balancer that asks stops sending new clients here, while the
        # requests it still sends are served until the drain is over (docs/deployment.md).
        raise ServiceUnavailable("The server is shutting down.")
    try:
        async with reads.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to reach the database means "not ready"
        raise ServiceUnavailable(
            "The database is unreachable.", headers={"Retry-After": "1"}
        ) from exc
    return Health(status="ok")


@metrics_router.get("/metrics")
async def get_metrics(request: Request, settings: AppSettings) -> Response:
    """Every worker's metrics in Prometheus' text format, to clients in
    MAILSLOT_METRICS_ALLOW (after X-Forwarded-For from a trusted proxy). Anyone else
    gets the 404 of an address that does not exist."""
    client = request.client.host if request.client else None
    if not metrics.client_allowed(client, settings.metrics_allow):
        raise NotFound("There is nothing at this address.")  # as for an unknown one
    # Reading every worker's files is blocking I/O: off the event loop.
    body = await anyio.to_thread.run_sync(metrics.exposition)
    return Response(body, media_type=metrics.CONTENT_TYPE)
