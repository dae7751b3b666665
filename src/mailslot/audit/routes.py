"""A user's own access log: when, and by which server key, their mailbox was read under
/server (shown only where the operator turned MAILSLOT_AUDIT_SHOW_USERS on)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from sqlalchemy.ext.asyncio import AsyncEngine

from mailslot.accounts.deps import CurrentUser, require_self
from mailslot.audit import service
from mailslot.audit.schemas import AccessLogEntry, AccessLogPage, AccessLogQuery
from mailslot.audit.service import ReadRecord
from mailslot.deps import AppSettings, Reads, query_model, query_parameters
from mailslot.errors import AccessLogOff
from mailslot.messages.cursor import encode_cursor
from mailslot.messages.routes import below
from mailslot.openapi import problems

router = APIRouter(tags=["accounts"], responses=problems(503))


async def read_records(
    reads: AsyncEngine, query: AccessLogQuery, **whose: Any
) -> tuple[list[ReadRecord], str | None]:
    """A page of the trail as `query` asks, of the user `whose` names (list_reads), and
    the cursor of the next page."""
    below_id = below(query.cursor)
    async with reads.connect() as db:
        records, more = await service.list_reads(
            db,
            since=query.since,
            until=query.until,
            below_id=below_id,
            limit=query.limit,
            **whose,
        )
    return records, encode_cursor(records[-1].id) if more else None


@router.get(
    "/users/{username}/access-log",
    responses=problems(400, 401, 403, 404, 422),
    openapi_extra=query_parameters(AccessLogQuery),
)
async def list_access_log(
    username: str,
    user: CurrentUser,
    reads: Reads,
    settings: AppSettings,
    query: Annotated[AccessLogQuery, Depends(query_model(AccessLogQuery))],
) -> AccessLogPage:
    """When, and by which of the host application's server keys, your mailbox was read
    through the server API, newest first. Only where the operator shows it
    (MAILSLOT_AUDIT_SHOW_USERS); elsewhere 404 `access_log_off`."""
    require_self(user, username)
    if not settings.audit_show_users:
        raise AccessLogOff("This server does not show users who read their mailbox.")
    records, next_cursor = await read_records(reads, query, user_id=user.id)
    return AccessLogPage(
        entries=[AccessLogEntry.model_validate(record) for record in records],
        next_cursor=next_cursor,
    )
