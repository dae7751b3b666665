"""Erasing an account: the user's own `DELETE /users/{username}`, and the host's
`DELETE /server/users/{external_id}` for the users it provisioned (who have no password).
Both shut the account and commit, have every instance forget its tokens, then run the
erasure's batches (run.py) before answering."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from mailslot.accounts import people
from mailslot.accounts import service as accounts
from mailslot.accounts.deps import CurrentUser, PasswordHasher, Tokens, require_self
from mailslot.deps import AppSettings, ClientAddress, DbSession
from mailslot.openapi import JSON_BODY, problems
from mailslot.rights.erasure import service
from mailslot.rights.erasure.models import Erasure
from mailslot.rights.erasure.run import run_erasure
from mailslot.rights.erasure.schemas import AccountDelete, ErasureRead
from mailslot.serverapi.deps import UsersWriter
from mailslot.serverapi.users import PathExternalId

router = APIRouter(tags=["accounts"], responses=problems(503))
server_router = APIRouter(tags=["server"], responses=problems(401, 403, 429, 503))


async def _erase(
    db: DbSession, tokens: Tokens, settings: AppSettings, user_id: int, mode: service.Mode
) -> Erasure:
    entry = await service.begin_erasure(
        db, user_id=user_id, mode=mode, hold_days=settings.erased_username_hold_days
    )
    await db.commit()
    await tokens.forget_user(user_id)  # no instance accepts a token of theirs from here
    return await run_erasure(db, entry)


@router.delete("/users/{username}", status_code=204, responses=problems(401, 403, 429, *JSON_BODY))
async def delete_user(
    username: str,
    body: AccountDelete,
    user: CurrentUser,
    db: DbSession,
    passwords: PasswordHasher,
    tokens: Tokens,
    settings: AppSettings,
    client: ClientAddress,
) -> Response:
    """Delete your account, for good, confirmed with your current password (403
    `wrong_password` otherwise; it counts as a sign-in attempt). Every token of yours stops
    working at once, on every instance; your profile, your inbox, your trash and your
    change log are deleted. What you sent stays with its receivers, shown as from a name
    like `deleted-user-3f9a…`, unless the operator chose to remove it too
    (`MAILSLOT_ERASURE_MODE=purge-sent`). Your username is refused to registration for a
    while (`MAILSLOT_ERASED_USERNAME_HOLD_DAYS`). Users provisioned by a host application
    have no password: the host erases them (`DELETE /server/users/{external_id}`)."""
    require_self(user, username)
    await accounts.require_password(db, passwords, user=user, password=body.password, client=client)
    await _erase(db, tokens, settings, user.id, settings.erasure_mode)
    return Response(status_code=204)


@server_router.delete("/server/users/{external_id}", responses=problems(404, 422))
async def delete_server_user(
    external_id: PathExternalId,
    key: UsersWriter,
    db: DbSession,
    tokens: Tokens,
    settings: AppSettings,
    mode: Annotated[
        service.Mode | None,
        Query(description="`pseudonymize` or `purge-sent`; default: MAILSLOT_ERASURE_MODE."),
    ] = None,
) -> ErasureRead:
    """Erase the user you know as `external_id`: as `DELETE /users/{username}` does for a
    user's own account, with the mode you choose (`mode`, else the operator's). Answers
    once the erasure has finished, with what went; the external id is free again at once
    (the username is held). 404 `user_not_found` for an unknown (or already erased)
    external id."""
    found = await people.get_external_user(db, external_id)
    entry = await _erase(db, tokens, settings, found.account.id, mode or settings.erasure_mode)
    return ErasureRead(
        tombstone=entry.tombstone,
        mode=entry.mode,
        requested_at=entry.requested_at,
        finished_at=entry.finished_at,
        counts=entry.counts,
    )
