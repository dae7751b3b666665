"""Moderation through the server API (scope `moderation`): the reports users made, their
resolution, and each user's sanctions. Calls into safety/; every change is on the audit
stream once committed."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, Field

from mailslot.accounts import people
from mailslot.accounts.deps import Tokens
from mailslot.deps import Reads, Sessions, query_model, query_parameters
from mailslot.errors import Unprocessable
from mailslot.logs import audit
from mailslot.messages.cursor import encode_cursor
from mailslot.messages.routes import DEFAULT_PAGE_SIZE, PageSize, below
from mailslot.messages.schemas import Id
from mailslot.openapi import JSON_BODY, problems
from mailslot.safety import reports, sanctions
from mailslot.safety.schemas import (
    ReportPage,
    ReportRead,
    ReportResolve,
    SanctionsRead,
    SanctionsUpdate,
)
from mailslot.serverapi.deps import Moderator
from mailslot.serverapi.users import PathExternalId

# Every route here reaches the database (503) and spends the key's budget (429).
router = APIRouter(tags=["server"], responses=problems(401, 403, 429, 503))

ReportId = Annotated[Id, Path(description="The report's id.")]


def _data(record: reports.ReportRecord) -> dict[str, object]:
    """A report event's webhook data: the report as the server API shows it."""
    return ReportRead.of(record).model_dump(mode="json")


class ReportQuery(BaseModel):
    """The query of the reports' listing, read by deps.query_model."""

    state: Literal["open", "resolved"] | None = Field(
        None, description="Only reports in this state; every report when left out."
    )
    per_page: PageSize = DEFAULT_PAGE_SIZE
    cursor: str | None = Field(
        None, max_length=64, description="`next_cursor` of the previous page."
    )


@router.get(
    "/server/reports",
    responses=problems(400, 422),
    openapi_extra=query_parameters(ReportQuery),
)
async def list_server_reports(
    key: Moderator,
    reads: Reads,
    query: Annotated[ReportQuery, Depends(query_model(ReportQuery))],
) -> ReportPage:
    """Reports users made of messages they received, newest first: `state=open` is the
    moderation queue. Each keeps the message as it was when reported."""
    async with reads.connect() as db:
        found, more = await reports.list_reports(
            db, state=query.state, below_id=below(query.cursor), limit=query.per_page
        )
    return ReportPage(
        reports=[ReportRead.of(record) for record in found],
        next_cursor=encode_cursor(found[-1].id) if more else None,
    )


@router.get("/server/reports/{report_id}", responses=problems(404, 422))
async def get_server_report(report_id: ReportId, key: Moderator, reads: Reads) -> ReportRead:
    """One report (404 `report_not_found`)."""
    async with reads.connect() as db:
        return ReportRead.of(await reports.get_report(db, report_id))


@router.post("/server/reports/{report_id}/resolve", responses=problems(404, 409, *JSON_BODY))
async def resolve_server_report(
    report_id: ReportId, body: ReportResolve, key: Moderator, sessions: Sessions
) -> ReportRead:
    """Resolve an open report: `dismiss`; `delete_message` (for everyone, as its sender's
    delete does); `suspend_sender` or `shadow_ban_sender` (the sanction's reason names the
    report). 409 `report_resolved` for a report resolved already. The reporter is never
    named to the sender. Writes the `report.resolved` webhook event."""
    async with sessions() as db:
        record, sanctioned = await reports.resolve_report(
            db, report_id=report_id, action=body.action, key_id=key.key_id, data=_data
        )
        await db.commit()
    audit("report.resolved", report_id=report_id, resolution=body.action)
    if sanctioned is not None:
        audit(
            sanctions.audit_action(sanctioned, True),
            user_id=record.sender_id,
            report_id=report_id,
        )
    return ReportRead.of(record)


@router.get("/server/users/{external_id}/sanctions", responses=problems(404, 422))
async def get_server_user_sanctions(
    external_id: PathExternalId, key: Moderator, sessions: Sessions
) -> SanctionsRead:
    """The sanctions the user is under (null: not under it), each with since when and
    why, and the history of changes, newest first."""
    async with sessions() as db:
        user = await people.get_external_user(db, external_id)
        return SanctionsRead.of(await sanctions.get_sanctions(db, user.account.id))


@router.put("/server/users/{external_id}/sanctions", responses=problems(404, *JSON_BODY))
async def put_server_user_sanctions(
    external_id: PathExternalId,
    body: SanctionsUpdate,
    key: Moderator,
    sessions: Sessions,
    tokens: Tokens,
) -> SanctionsRead:
    """Put sanctions on (`true`) or lift them (`false`), with a reason the history keeps;
    fields left out stay as they are. `suspended`: the user signs in and reads, and every
    send is a 403 `account_suspended`. `shadow_banned`: their sends look delivered to
    them and reach nobody (the server API's send says `withheld`). `deactivated`: as
    POST .../deactivate. Each takes effect at once on every instance, and is reversible."""
    wanted = {
        kind: on
        for kind, on in (
            ("suspended", body.suspended),
            ("shadow_banned", body.shadow_banned),
            ("deactivated", body.deactivated),
        )
        if on is not None
    }
    if not wanted:
        raise Unprocessable(
            "Name at least one sanction to put on or lift.",
            errors=[{"pointer": "/body", "detail": "suspended, shadow_banned or deactivated"}],
        )
    async with sessions() as db:
        user = await people.get_external_user(db, external_id)
        user_id = user.account.id
        changed = [
            (kind, on)
            for kind, on in wanted.items()
            if await sanctions.set_sanction(
                db,
                user_id=user_id,
                kind=kind,  # type: ignore[arg-type]
                on=on,
                reason=body.reason,
                actor=f"key:{key.key_id}",
            )
        ]
        await db.commit()
        shown = await sanctions.get_sanctions(db, user_id)
    for kind, on in changed:
        audit(sanctions.audit_action(kind, on), user_id=user_id)  # type: ignore[arg-type]
    if ("deactivated", True) in changed or ("deactivated", False) in changed:
        await tokens.forget_user(user_id)
    return SanctionsRead.of(shown)
