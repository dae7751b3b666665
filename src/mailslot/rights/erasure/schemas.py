"""Bodies of the erasure routes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from mailslot.accounts.schemas import Input


class AccountDelete(Input):
    password: Annotated[str, Field(max_length=1024, description="Your current password.")]


class ErasureRead(BaseModel):
    """An account's erasure as the ledger holds it: no personal data."""

    tombstone: str = Field(
        description="The name receivers see in place of the erased user's, from now on."
    )
    mode: Literal["pseudonymize", "purge-sent"]
    requested_at: datetime
    finished_at: datetime | None
    counts: dict[str, int] = Field(
        description="What went: `received` (the user's copies), `sent_removed` and "
        "`sent_kept` (messages they sent), `changes` (their change log), `tokens`, "
        "`webhook_events`."
    )
