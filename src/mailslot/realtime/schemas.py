"""Stream-ticket response bodies."""

from __future__ import annotations

from pydantic import BaseModel, Field


class StreamTicketRead(BaseModel):
    ticket: str = Field(description="Pass as `?ticket=` to /events or /ws, once.")
    expires_in: int = Field(description="Seconds the ticket stays valid.")
