"""Reports: a receiver reports a message; an operator resolves the report through the
server API (dismiss, delete the message for everyone, suspend or shadow-ban its sender).
Callers own the transaction.

A report is the operator's business: the sender never learns of it, nor who made it.
Each report and each resolution writes a webhook event (`report.created`,
`report.resolved`) in its own transaction (webhooks/outbox.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from mailslot.accounts.models import User
from mailslot.accounts.service import Account
from mailslot.accounts.system import is_system
from mailslot.db.base import utcnow
from mailslot.db.engine import Reader
from mailslot.errors import NotAReceiver, ReportNotFound, ReportResolved, Unprocessable
from mailslot.messages import service as messages
from mailslot.messages.models import Message
from mailslot.messages.store import store_for
from mailslot.safety import sanctions
from mailslot.safety.models import Report
from mailslot.webhooks import outbox

Reason = Literal["spam", "harassment", "inappropriate", "other"]
Action = Literal["dismiss", "delete_message", "suspend_sender", "shadow_ban_sender"]
State = Literal["open", "resolved"]
MAX_NOTE = 1000


@dataclass(frozen=True, slots=True)
class Person:
    username: str
    external_id: str | None
    display_name: str | None


@dataclass(frozen=True, slots=True)
class ReportRecord:
    """A report as the operator sees it."""

    id: int
    state: State
    reason: Reason
    note: str | None
    created_at: datetime
    message_id: int
    subject: str
    body: str
    reporter: Person
    sender: Person
    action: Action | None
    resolved_at: datetime | None
    sender_id: int


_REPORTER = aliased(User, name="reporter")
_SENDER = aliased(User, name="sender")
_RECORD = (
    select(
        Report.id,
        Report.state,
        Report.reason,
        Report.note,
        Report.created_at,
        Report.message_id,
        Report.subject,
        Report.body,
        _REPORTER.username,
        _REPORTER.external_id,
        _REPORTER.display_name,
        _SENDER.username,
        _SENDER.external_id,
        _SENDER.display_name,
        Report.action,
        Report.resolved_at,
        Report.sender_id,
    )
    .join(_REPORTER, _REPORTER.id == Report.reporter_id)
    .join(_SENDER, _SENDER.id == Report.sender_id)
)


def _record(row: Any) -> ReportRecord:
    return ReportRecord(
        id=row[0],
        state=row[1],
        reason=row[2],
        note=row[3],
        created_at=row[4],
        message_id=row[5],
        subject=row[6],
        body=row[7],
        reporter=Person(*row[8:11]),
        sender=Person(*row[11:14]),
        action=row[14],
        resolved_at=row[15],
        sender_id=row[16],
    )


async def report_message(
    db: AsyncSession,
    *,
    reporter: Account,
    message_id: int,
    reason: Reason,
    note: str | None,
    data: Callable[[ReportRecord], dict[str, Any]],
) -> tuple[ReportRecord, bool]:
    """Report a message the reporter received; returns the report and whether it is new.
    Reporting it again answers the first report, unchanged. Raises MessageNotFound for a
    message not in the reporter's mailbox (as for any other), NotAReceiver for one they
    only sent. A new report writes the `report.created` webhook event (`data`: its body)."""
    view = await messages.find_message(db, viewer=reporter, message_id=message_id)
    if not view.is_receiver:
        raise NotAReceiver("Reports are made by a message's receivers; you sent this one.")
    sender_id = await db.scalar(select(Message.sender_id).where(Message.id == message_id))
    written = await db.execute(
        store_for(db)
        .insert(Report)
        .values(
            message_id=message_id,
            reporter_id=reporter.id,
            sender_id=sender_id,
            reason=reason,
            note=note,
            subject=view.subject,
            body=view.body,
            state="open",
            created_at=utcnow(),
        )
        .on_conflict_do_nothing()
        .returning(Report.id)
    )
    new = written.first()
    if new is not None:
        record = await get_report(db, new.id)
        await outbox.emit(db, "report.created", data(record))
        return record, True
    row = (
        await db.execute(
            _RECORD.where(Report.message_id == message_id, Report.reporter_id == reporter.id)
        )
    ).one()
    return _record(row), False


async def get_report(db: Reader, report_id: int) -> ReportRecord:
    """Raises ReportNotFound."""
    row = (await db.execute(_RECORD.where(Report.id == report_id))).one_or_none()
    if row is None:
        raise ReportNotFound(f"There is no report {report_id}.")
    return _record(row)


async def list_reports(
    db: Reader, *, state: State | None, below_id: int | None, limit: int
) -> tuple[list[ReportRecord], bool]:
    """Reports newest first, in `state` if given, and whether more follow (keyset:
    `below_id`)."""
    query = _RECORD.order_by(Report.id.desc()).limit(limit + 1)
    if state is not None:
        query = query.where(Report.state == state)
    if below_id is not None:
        query = query.where(Report.id < below_id)
    rows = (await db.execute(query)).all()
    return [_record(row) for row in rows[:limit]], len(rows) > limit


async def resolve_report(
    db: AsyncSession,
    *,
    report_id: int,
    action: Action,
    key_id: int,
    data: Callable[[ReportRecord], dict[str, Any]],
) -> tuple[ReportRecord, sanctions.Kind | None]:
    """Resolve an open report with `action`, and act: `delete_message` deletes the message
    for everyone (if its sender has not already), `suspend_sender` and
    `shadow_ban_sender` sanction its sender with the report's reason. Returns the report
    and the sanction put on, if one was (not when the sender was under it already).
    Raises ReportNotFound; ReportResolved for a report resolved already (by another
    moderator first, too: the state changes conditionally); Unprocessable for a sanction
    of the platform's own account. Writes the `report.resolved` webhook event (`data`:
    its body)."""
    record = await get_report(db, report_id)
    sanction: sanctions.Kind | None = _SANCTIONS.get(action)
    if sanction is not None and is_system(record.sender.username):
        raise Unprocessable(
            "The platform's own account cannot be suspended or shadow-banned.",
            errors=[{"pointer": "/body/action", "detail": "the sender is the platform"}],
        )
    now = utcnow()
    resolved = await db.execute(
        update(Report)
        .where(Report.id == report_id, Report.state == "open")
        .values(state="resolved", action=action, resolved_at=now, resolved_by_key_id=key_id)
        .returning(Report.sender_id)
    )
    row = resolved.first()
    if row is None:
        raise ReportResolved(f"Report {report_id} is resolved already.")
    record = replace(record, state="resolved", action=action, resolved_at=now)
    if action == "delete_message":
        await messages.delete_for_everyone(
            db, sender_id=row.sender_id, message_id=record.message_id
        )
    elif sanction is not None:
        changed = await sanctions.set_sanction(
            db,
            user_id=row.sender_id,
            kind=sanction,
            on=True,
            reason=f"report {report_id}: {record.reason}",
            actor=f"report:{report_id}",
        )
        sanction = sanction if changed else None
    await outbox.emit(db, "report.resolved", data(record))
    return record, sanction


_SANCTIONS: dict[str, sanctions.Kind] = {
    "suspend_sender": "suspended",
    "shadow_ban_sender": "shadow_banned",
}
