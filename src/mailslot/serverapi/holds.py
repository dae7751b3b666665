"""Legal holds under the server API (`/server/users/{external_id}/hold`, scope
`users:write`): a held user's mail is kept by retention whatever its age
(messages/retention.py). `users:write`, not `moderation`: a hold is part of the account's
lifecycle the host manages (as deactivation is), a records decision, not a judgement of
content; a moderation tool's key should not be able to keep mail past the operator's
retention period."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Body, Response
from pydantic import BaseModel, Field

from mailslot.accounts import people
from mailslot.deps import DbSession
from mailslot.logs import audit
from mailslot.messages import retention
from mailslot.openapi import JSON_BODY, problems
from mailslot.serverapi.deps import UsersWriter
from mailslot.serverapi.users import PathExternalId

router = APIRouter(tags=["server"], responses=problems(401, 403, 429, 503))


class LegalHoldPut(BaseModel):
    note: str | None = Field(
        None, max_length=200, description="Why (a case number); shown by `retention status`."
    )


class LegalHoldRead(BaseModel):
    external_id: str
    username: str
    held: bool = Field(description="Whether retention keeps the user's mail.")
    held_at: datetime | None = Field(description="Since when; null when not held.")
    note: str | None


def _read(external_id: str, username: str, hold: retention.Hold | None) -> LegalHoldRead:
    return LegalHoldRead(
        external_id=external_id,
        username=username,
        held=hold is not None,
        held_at=None if hold is None else hold.held_at,
        note=None if hold is None else hold.note,
    )


@router.get("/server/users/{external_id}/hold", responses=problems(404, 422))
async def get_server_user_hold(
    external_id: PathExternalId, key: UsersWriter, db: DbSession
) -> LegalHoldRead:
    """Whether the user is on legal hold (404 `user_not_found` if you know no such user)."""
    user = await people.get_external_user(db, external_id)
    hold = await retention.find_hold(db, user=user.account)
    return _read(external_id, user.account.username, hold)


@router.put("/server/users/{external_id}/hold", responses=problems(404, *JSON_BODY))
async def put_server_user_hold(
    external_id: PathExternalId,
    key: UsersWriter,
    db: DbSession,
    body: Annotated[LegalHoldPut | None, Body()] = None,
) -> LegalHoldRead:
    """Put the user on legal hold: every message they sent or received is kept, and shown,
    whatever MAILSLOT_RETENTION_DAYS says, until the hold is lifted. Putting a held user
    on hold again keeps the first `held_at` (a `note` given replaces the note)."""
    user = await people.get_external_user(db, external_id)
    note = None if body is None else body.note
    hold, new = await retention.hold_user(db, user=user.account, note=note)
    await db.commit()
    if new:
        audit("retention.hold", user_id=user.account.id)
    return _read(external_id, user.account.username, hold)


@router.delete("/server/users/{external_id}/hold", status_code=204, responses=problems(404, 422))
async def delete_server_user_hold(
    external_id: PathExternalId, key: UsersWriter, db: DbSession
) -> Response:
    """Lift the user's legal hold (204 whether or not there was one): their mail older
    than the retention period is hidden at once and deleted by the next run, unless
    another party to it is held."""
    user = await people.get_external_user(db, external_id)
    lifted = await retention.unhold_user(db, user=user.account)
    await db.commit()
    if lifted:
        audit("retention.unhold", user_id=user.account.id)
    return Response(status_code=204)
