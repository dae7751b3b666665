"""Request and response bodies of blocks, reports and sanctions."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StrictBool

from mailslot.accounts.schemas import Input
from mailslot.messages.schemas import TEXT_PATTERN
from mailslot.safety.blocks import Blocked
from mailslot.safety.reports import MAX_NOTE, Action, Reason, ReportRecord, State
from mailslot.safety.sanctions import MAX_REASON, Change, Held, Sanctions

# PostgreSQL cannot store a NUL character.
_NO_NUL = r"^[^\x00]*$"


class BlockRead(BaseModel):
    username: str
    display_name: str | None
    blocked_at: datetime = Field(description="When you first blocked them.")

    @classmethod
    def of(cls, blocked: Blocked) -> BlockRead:
        return cls(
            username=blocked.username,
            display_name=blocked.display_name,
            blocked_at=blocked.blocked_at,
        )


class BlockList(BaseModel):
    blocks: list[BlockRead] = Field(description="Everyone you block, newest block first.")


class ReportCreate(Input):
    reason: Reason = Field(description="`spam`, `harassment`, `inappropriate` or `other`.")
    note: Annotated[str, Field(max_length=MAX_NOTE, pattern=_NO_NUL)] | None = Field(
        None, description=f"What the operator should know, up to {MAX_NOTE} characters."
    )


class ReportCreated(BaseModel):
    id: int = Field(description="The report's id.")
    state: State = Field(description="`open` until the operator resolves it.")
    created_at: datetime


class PersonRead(BaseModel):
    username: str
    external_id: str | None = Field(description="Your id for the user; null if you have none.")
    display_name: str | None


class ReportedMessage(BaseModel):
    id: int
    subject: str = Field(description="As it was when reported.")
    message: str = Field(description="The body, as it was when reported.")


class ReportRead(BaseModel):
    id: int
    state: State
    reason: Reason
    note: str | None
    created_at: datetime
    message: ReportedMessage
    reporter: PersonRead = Field(description="Who reported it; never shown to the sender.")
    sender: PersonRead = Field(description="Who sent the message.")
    action: Action | None = Field(description="How it was resolved; null while open.")
    resolved_at: datetime | None

    @classmethod
    def of(cls, record: ReportRecord) -> ReportRead:
        return cls(
            id=record.id,
            state=record.state,
            reason=record.reason,
            note=record.note,
            created_at=record.created_at,
            message=ReportedMessage(
                id=record.message_id, subject=record.subject, message=record.body
            ),
            reporter=PersonRead(**asdict(record.reporter)),
            sender=PersonRead(**asdict(record.sender)),
            action=record.action,
            resolved_at=record.resolved_at,
        )


class ReportPage(BaseModel):
    reports: list[ReportRead] = Field(description="Newest first.")
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last."
    )


class ReportResolve(Input):
    action: Action = Field(
        description="`dismiss`: nothing else happens; `delete_message`: the message is "
        "deleted for everyone, as its sender's delete does; `suspend_sender`, "
        "`shadow_ban_sender`: the sender is sanctioned, with the report's reason."
    )


SanctionReason = Annotated[str, Field(min_length=1, max_length=MAX_REASON, pattern=TEXT_PATTERN)]


class HeldRead(BaseModel):
    since: datetime
    reason: str | None = Field(description="Why; null for a deactivation made without one.")

    @classmethod
    def of(cls, held: Held | None) -> HeldRead | None:
        return None if held is None else cls(since=held.since, reason=held.reason)


class SanctionChangeRead(BaseModel):
    kind: Literal["suspended", "shadow_banned", "deactivated"]
    lifted: bool = Field(description="`false`: put on; `true`: lifted.")
    reason: str
    actor: str = Field(
        description="Who: `key:<id>` (a server key), `cli` (the `mailslot` command) or "
        "`report:<id>` (the resolution of that report)."
    )
    at: datetime

    @classmethod
    def of(cls, change: Change) -> SanctionChangeRead:
        return cls(
            kind=change.kind,
            lifted=change.lifted,
            reason=change.reason,
            actor=change.actor,
            at=change.at,
        )


class SanctionsRead(BaseModel):
    suspended: HeldRead | None = Field(description="Signs in and reads, cannot send.")
    shadow_banned: HeldRead | None = Field(
        description="Sends look delivered to them and reach nobody."
    )
    deactivated: HeldRead | None = Field(description="Cannot sign in, send or receive.")
    history: list[SanctionChangeRead] = Field(description="The newest 100 changes, newest first.")

    @classmethod
    def of(cls, sanctions: Sanctions) -> SanctionsRead:
        return cls(
            suspended=HeldRead.of(sanctions.held.get("suspended")),
            shadow_banned=HeldRead.of(sanctions.held.get("shadow_banned")),
            deactivated=HeldRead.of(sanctions.held.get("deactivated")),
            history=[SanctionChangeRead.of(change) for change in sanctions.history],
        )


class SanctionsUpdate(Input):
    """What to put on (`true`) or lift (`false`); a field left out stays as it is."""

    # Strict: JSON's true and false only (0 and 1 would pass as booleans otherwise).
    suspended: StrictBool | None = None
    shadow_banned: StrictBool | None = None
    deactivated: StrictBool | None = Field(
        None,
        description="As POST /server/users/{external_id}/deactivate (or /reactivate) does, "
        "with a reason kept in the history.",
    )
    reason: SanctionReason = Field(
        description=f"Why, up to {MAX_REASON} characters; kept in the history."
    )
