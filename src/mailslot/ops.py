"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import text

from mailslot.deps import Reads, State
from mailslot.errors import ServiceUnavailable
from mailslot.openapi import problems

router = APIRouter(tags=["operations"])


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
