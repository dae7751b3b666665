"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import text

from mailslot.deps import Reads
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
async def get_readyz(reads: Reads) -> Health:
    """The database answers."""
    try:
        async with reads.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to reach the database means "not ready"
        raise ServiceUnavailable(
            "The database is unreachable.", headers={"Retry-After": "1"}
        ) from exc
    return Health(status="ok")
