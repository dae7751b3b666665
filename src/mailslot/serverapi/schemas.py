"""The server API's request and response bodies beyond the accounts' own."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from mailslot.accounts.minted import DEFAULT_TTL, MAX_TTL
from mailslot.accounts.people import MAX_BATCH
from mailslot.accounts.schemas import ExternalId, ExternalUserPut, ExternalUserRead, Input
from mailslot.problems import Problem

Outcome = Literal["created", "updated", "unchanged"]
TokenScope = Literal["read", "write"]


class ExternalUserWritten(ExternalUserRead):
    """The user after an upsert, and what the upsert did."""

    outcome: Outcome


class ExternalUserBatchItem(ExternalUserPut):
    external_id: ExternalId


# An item that is not a valid ExternalUserBatchItem (not even an object) is kept as it
# came, and answered with its own 422 in the results: one bad item never fails the others.
_BatchEntry = Annotated[ExternalUserBatchItem | Any, Field(union_mode="left_to_right")]


class ExternalUserBatch(Input):
    users: list[_BatchEntry] = Field(
        max_length=MAX_BATCH, description=f"At most {MAX_BATCH} users, upserted in order."
    )


class BatchItemResult(BaseModel):
    """One user of a batch: its outcome and the user, or `error` and the problem."""

    external_id: str | None
    outcome: Outcome | Literal["error"]
    user: ExternalUserRead | None = None
    error: Problem | None = None


class ExternalUserBatchResult(BaseModel):
    results: list[BatchItemResult] = Field(description="One per user, in the order given.")


def _full() -> list[TokenScope]:
    return ["read", "write"]


class TokenMint(Input):
    ttl_seconds: int = Field(
        default=DEFAULT_TTL,
        ge=1,
        le=MAX_TTL,
        description=f"Seconds the token lives: {DEFAULT_TTL} unless given, {MAX_TTL} "
        "(30 days) at most.",
    )
    scopes: list[TokenScope] = Field(
        default_factory=_full,
        min_length=1,
        max_length=2,
        description="`read` lists, reads and streams; `write` (which implies `read`) also "
        'sends, marks, deletes and edits the profile. Both unless given; `["read"]` makes a '
        "read-only token.",
    )
    label: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="Your note about the token (`web`, `support widget`), shown in lists.",
    )


class TokenInfoRead(BaseModel):
    """A live token of the user: never the token itself."""

    token_id: str
    label: str | None
    scopes: list[TokenScope]
    created_at: datetime
    expires_at: datetime


class MintedTokenRead(TokenInfoRead):
    """The new token: `access_token` is shown this once."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 (a token type, not a secret)


class TokenList(BaseModel):
    tokens: list[TokenInfoRead] = Field(description="Newest first.")


class TokensRevoked(BaseModel):
    revoked: int = Field(description="How many live tokens were revoked.")
