"""Users by the host's own ids (`/server/users`, scope `users:write`): upsert one or a
batch, look one up, deactivate and reactivate. Calls into accounts.people; after a commit
that changed a user, every instance forgets the user's cached tokens."""

from __future__ import annotations

from dataclasses import asdict
from http import HTTPStatus
from typing import Annotated, Any

from fastapi import APIRouter, Path, Response
from pydantic import ValidationError

from mailslot.accounts import people
from mailslot.accounts.deps import Tokens
from mailslot.accounts.people import KEEP, ExternalUser, ExternalUserItem
from mailslot.accounts.schemas import EXTERNAL_ID_PATTERN, ExternalUserPut, ExternalUserRead
from mailslot.deps import DbSession
from mailslot.errors import AppError, Unprocessable
from mailslot.logs import audit
from mailslot.openapi import JSON_BODY, problems
from mailslot.problems import Problem
from mailslot.serverapi.deps import UsersWriter
from mailslot.serverapi.schemas import (
    BatchItemResult,
    ExternalUserBatch,
    ExternalUserBatchItem,
    ExternalUserBatchResult,
    ExternalUserWritten,
)

# Every route here reaches the database (503) and spends the key's budget (429).
router = APIRouter(tags=["server"], responses=problems(401, 403, 429, 503))

PathExternalId = Annotated[
    str,
    Path(
        pattern=EXTERNAL_ID_PATTERN,
        description="Your own id for the user: 1 to 128 letters, digits or `_ . : @ | + = -`.",
    ),
]


def user_read(user: ExternalUser) -> ExternalUserRead:
    account = user.account
    return ExternalUserRead(
        external_id=user.external_id,
        username=account.username,
        display_name=account.display_name,
        email=account.email,
        custom=user.custom,
        groups=list(user.groups),
        created_at=account.created_at,
        deactivated_at=user.deactivated_at,
    )


def _item(external_id: str, body: ExternalUserPut) -> ExternalUserItem:
    """What the body asks of the user: fields left out keep their value."""
    given = body.model_fields_set
    return ExternalUserItem(
        external_id=external_id,
        display_name=body.display_name,
        username=body.username,
        email=(body.email if "email" in given else KEEP),
        custom=(body.custom if "custom" in given else KEEP),
        groups=(body.groups if "groups" in given else KEEP),
    )


@router.put(
    "/server/users/{external_id}",
    responses={
        **problems(404, 409, *JSON_BODY),
        201: {"model": ExternalUserWritten, "description": "Created"},
    },
)
async def put_server_user(
    external_id: PathExternalId,
    body: ExternalUserPut,
    key: UsersWriter,
    db: DbSession,
    tokens: Tokens,
    response: Response,
) -> ExternalUserWritten:
    """Create the user you know as `external_id` (201), or bring it up to date (200);
    `outcome` says which: `created`, `updated` or `unchanged`. The user has no password:
    they use tokens you mint (POST /server/users/{external_id}/tokens). Fields left out
    keep their value; `username` is derived from the external id when left out, and never
    changes once set. 409 for a username or email address another user has; 422 for a
    `custom` over 4096 bytes as JSON."""
    user, outcome = await people.upsert_external_user(db, **asdict(_item(external_id, body)))
    await db.commit()
    _audit_upsert(user, outcome)
    if outcome == "updated":
        await tokens.forget_user(user.account.id)  # cached accounts carry the display name
    response.status_code = 201 if outcome == "created" else 200
    return ExternalUserWritten(**user_read(user).model_dump(), outcome=outcome)


_UPSERTED = {"created": "user.provisioned", "updated": "user.updated"}


def _audit_upsert(user: ExternalUser, outcome: str) -> None:
    if outcome in _UPSERTED:
        audit(_UPSERTED[outcome], user_id=user.account.id)


def _problem(error: AppError, index: int) -> Problem:
    """The problem of one batch item, its pointers under `/body/users/<index>`."""
    here = f"/body/users/{index}"
    errors = [
        {
            "pointer": here
            + issue["pointer"].removeprefix("/body").replace("/path/external_id", "/external_id"),
            "detail": issue["detail"],
        }
        for issue in error.errors or []
    ]
    return Problem(
        title=HTTPStatus(error.status).phrase,
        status=error.status,
        detail=error.detail,
        code=error.code,
        errors=errors or None,
    )


def _invalid(entry: Any) -> Unprocessable:
    """Why a batch entry is not an ExternalUserBatchItem, as validation_failed."""
    try:
        ExternalUserBatchItem.model_validate(entry)
        reasons = [{"pointer": "/body", "detail": "not a user"}]
    except ValidationError as error:
        reasons = [
            {
                "pointer": "/body" + "".join(f"/{part}" for part in issue["loc"]),
                "detail": issue["msg"],
            }
            for issue in error.errors()
        ]
    return Unprocessable("This user is not valid: " + reasons[0]["detail"] + ".", errors=reasons)


@router.post("/server/users/batch", responses=problems(*JSON_BODY))
async def post_server_users_batch(
    body: ExternalUserBatch, key: UsersWriter, db: DbSession, tokens: Tokens
) -> ExternalUserBatchResult:
    """Upsert up to 100 users, in order, as PUT /server/users/{external_id} does each;
    one bad user never fails the others: each result says `created`, `updated`,
    `unchanged`, or `error` with its problem. 422 for more than 100."""
    valid: list[tuple[int, ExternalUserItem]] = []
    results: list[BatchItemResult | None] = []
    for index, entry in enumerate(body.users):
        if isinstance(entry, ExternalUserBatchItem):
            valid.append((index, _item(entry.external_id, entry)))
            results.append(None)
        else:
            external_id = entry.get("external_id") if isinstance(entry, dict) else None
            results.append(
                BatchItemResult(
                    external_id=external_id if isinstance(external_id, str) else None,
                    outcome="error",
                    error=_problem(_invalid(entry), index),
                )
            )
    done = await people.upsert_external_users(db, [item for _, item in valid])
    await db.commit()
    for (index, _), result in zip(valid, done, strict=True):
        if result.error is not None:
            results[index] = BatchItemResult(
                external_id=result.external_id,
                outcome="error",
                error=_problem(result.error, index),
            )
        elif result.user is not None and result.outcome is not None:
            _audit_upsert(result.user, result.outcome)
            results[index] = BatchItemResult(
                external_id=result.external_id, outcome=result.outcome, user=user_read(result.user)
            )
            if result.outcome == "updated":
                await tokens.forget_user(result.user.account.id)
    return ExternalUserBatchResult(results=[result for result in results if result is not None])


@router.get("/server/users/{external_id}", responses=problems(404, 422))
async def get_server_user(
    external_id: PathExternalId, key: UsersWriter, db: DbSession
) -> ExternalUserRead:
    """The user you know as `external_id` (404 `user_not_found` if none)."""
    return user_read(await people.get_external_user(db, external_id))


@router.post("/server/users/{external_id}/deactivate", responses=problems(404, 422))
async def deactivate_server_user(
    external_id: PathExternalId, key: UsersWriter, db: DbSession, tokens: Tokens
) -> ExternalUserRead:
    """Deactivate the user: every token is revoked and their live streams end, on every
    instance, before this answers; sign-in (403 `account_deactivated`), minting and
    sending to them (422 `receiver_deactivated`) are refused until reactivation. Their
    messages stay where they are. Deactivating again changes nothing."""
    user = await people.deactivate_user(db, external_id)
    await db.commit()
    audit("user.deactivated", user_id=user.account.id)
    await tokens.forget_user(user.account.id)
    return user_read(user)


@router.post("/server/users/{external_id}/reactivate", responses=problems(404, 422))
async def reactivate_server_user(
    external_id: PathExternalId, key: UsersWriter, db: DbSession, tokens: Tokens
) -> ExternalUserRead:
    """Let the user sign in and receive again; the tokens revoked stay revoked: mint new
    ones. Reactivating an active user changes nothing."""
    user = await people.reactivate_user(db, external_id)
    await db.commit()
    await tokens.forget_user(user.account.id)  # what instances remember of them is stale
    audit("user.reactivated", user_id=user.account.id)
    return user_read(user)
