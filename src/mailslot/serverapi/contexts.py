"""Signed contexts: a host mints a `ctx_...` token so that its users' browsers send under a
ref (an order, a ticket) to the participants it names, and cannot forge either."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field

from mailslot.accounts import people
from mailslot.accounts.schemas import ExternalId, Input
from mailslot.db.base import utcnow
from mailslot.deps import AppSettings, Reads
from mailslot.errors import UserNotFound
from mailslot.messages.context import MAX_PARTICIPANTS, context_key, mint_context
from mailslot.messages.schemas import ContextData, ContextRef
from mailslot.openapi import JSON_BODY, problems
from mailslot.serverapi.deps import TokenMinter

router = APIRouter(tags=["server"])

MAX_LIFETIME = 30 * 24 * 3600  # as a minted token's


class ContextTokenCreate(Input):
    ref: ContextRef
    participants: Annotated[list[ExternalId], Field(min_length=1, max_length=MAX_PARTICIPANTS)] = (
        Field(description="External ids of everyone who may write under the context.")
    )
    data: ContextData | None = None
    expires_in: int = Field(
        3600, ge=1, le=MAX_LIFETIME, description="Seconds the token may be sent with."
    )


class ContextToken(BaseModel):
    context_token: str = Field(description="Send it as `context_token` with a message.")
    expires_at: datetime


@router.post(
    "/server/contexts", status_code=201, responses=problems(401, 403, 404, 429, *JSON_BODY)
)
async def post_server_context(
    body: ContextTokenCreate, key: TokenMinter, reads: Reads, settings: AppSettings
) -> ContextToken:
    """A context token: each participant may send to the others under `ref` (and `data`)
    until it expires; the message shows `context.signed: true`. Scope `tokens:mint`.
    A participant without a user: 404 `user_not_found`, naming every one."""
    async with reads.connect() as db:
        ids = await people.user_ids(db, body.participants)
    missing = [external for external in body.participants if external not in ids]
    if missing:
        raise UserNotFound(
            "There is no user with the external id " + ", ".join(map(repr, missing)) + ".",
            errors=[
                {"pointer": f"/body/participants/{i}", "detail": "no such user"}
                for i, external in enumerate(body.participants)
                if external not in ids
            ],
        )
    expires_at = utcnow() + timedelta(seconds=body.expires_in)
    token = mint_context(
        key=context_key(settings.resolved_secret_key()),
        ref=body.ref,
        participants=[ids[external] for external in body.participants],
        expires_at=expires_at,
        data=body.data,
    )
    return ContextToken(context_token=token, expires_at=expires_at.replace(microsecond=0))
