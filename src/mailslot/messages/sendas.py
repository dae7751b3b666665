"""Sending as a host's user or as the platform (`POST /server/messages`, issue 18): the
sender and recipients named by the host's own ids, and an answer per recipient. Callers
own the transaction.

One message reaches every recipient who can receive it; an unknown or deactivated one is
reported, not fatal, and so is one who blocks the sender (`blocked`), or every one while
the sender is shadow-banned (`withheld`): the send tells the host, never the sender. The recipients are read with the sender in one query (or remembered:
messages/hostids.py, with Redis), then the message is sent as any other (threads.send_in_thread), to the recipients' usernames. The
system account keeps no change log of what it sends (messages.service.send_message), so
one shared sender does not queue its sends on one counter.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import BigInteger, Boolean, String, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import TypeEngine

from mailslot.accounts.service import SYSTEM_USERNAME, Account, username_key
from mailslot.accounts.system import SYSTEM_KEY, system_account
from mailslot.db.base import UTCDateTime
from mailslot.db.direct import DirectQuery
from mailslot.db.engine import Reader, dialect_name
from mailslot.errors import (
    AccountDeactivated,
    NoRecipientCanReceive,
    UnknownReceiver,
    UserNotFound,
)
from mailslot.messages import idempotency, threads
from mailslot.messages.context import Context
from mailslot.messages.hostids import PLATFORM, HostIds
from mailslot.messages.views import MessageView
from mailslot.policy.gate import Gate, PolicyRefused

SYSTEM = "system"
"""`from` naming the platform rather than a user's external id."""
MAX_RECIPIENTS = 1000
Status = Literal["delivered", "unknown_user", "deactivated", "blocked", "withheld", "policy_denied"]


@dataclass(frozen=True, slots=True)
class Outcome:
    to: str
    status: Status


@dataclass(frozen=True, slots=True)
class SentAs:
    """The message as its sender sees it, and each recipient's outcome, in `to`'s order."""

    message: MessageView
    outcomes: list[Outcome]
    replayed: bool


def _unique(ids: list[str]) -> list[str]:
    return list(dict.fromkeys(ids))


# The sender and the recipients in one statement, on the driver before the transaction
# begins (a read of committed rows, as a READ COMMITTED statement reads): a send that
# writes nothing else then commits itself (service.send_message's `alone`). Per engine,
# for the list of ids: an array on PostgreSQL, a JSON list on SQLite.
_COLUMNS = "id, username, email, created_at, display_name, external_id, deactivated_at"
_TYPES: dict[str, TypeEngine[Any] | type[TypeEngine[Any]]] = {
    "id": BigInteger,
    "username": String,
    "email": String,
    "created_at": UTCDateTime(),
    "display_name": String,
    "external_id": String,
    "deactivated_at": UTCDateTime(),
}
_RESOLVE = {
    "postgresql": DirectQuery(
        text(
            f"SELECT {_COLUMNS} FROM user_account "  # noqa: S608 (constants; values bound)
            "WHERE external_id = ANY(:ids) OR (:system AND username_key = :system_key)"
        )
        .bindparams(bindparam("ids", type_=ARRAY(String)), bindparam("system", type_=Boolean))
        .columns(**_TYPES)
    ),
    "sqlite": DirectQuery(
        text(
            f"SELECT {_COLUMNS} FROM user_account "  # noqa: S608 (constants; values bound)
            "WHERE external_id IN (SELECT value FROM json_each(:ids)) "
            "OR (:system AND username_key = :system_key)"
        )
        .bindparams(bindparam("system", type_=Boolean))
        .columns(**_TYPES)
    ),
}


async def _resolve(
    db: Reader, sender: str, to: list[str], memory: HostIds | None = None, *, fresh: bool = False
) -> tuple[Any | None, dict[str, Any]]:
    """The sender's row (the system's, for SYSTEM; None if it does not exist yet) and
    the recipients' rows by external id, in one query, or none when `memory` holds them
    (unless `fresh`); what is read is remembered."""
    system = sender == SYSTEM
    wanted = to if system else [*to, sender]
    generation = 0 if memory is None else memory.generation  # read before the query
    if memory is not None and not fresh:
        known = memory.known([*wanted, PLATFORM] if system else wanted)
        if known is not None:
            return (known.pop(PLATFORM) if system else known[sender]), known
    dialect = dialect_name(db)
    rows = await _RESOLVE[dialect].all(
        db,
        {
            "ids": wanted if dialect == "postgresql" else json.dumps(wanted),
            "system": system,
            "system_key": SYSTEM_KEY,
        },
    )
    by_external = {row.external_id: row for row in rows if row.external_id is not None}
    if system:
        found = next((row for row in rows if row.username == SYSTEM_USERNAME), None)
    else:
        found = by_external.get(sender)
    if memory is not None:
        platform = {PLATFORM: found} if system and found is not None else {}
        memory.remember(by_external | platform, generation)
    return found, by_external


async def _sender(db: AsyncSession, sender: str, row: Any | None, display_name: str) -> Account:
    if sender == SYSTEM:
        account = None if row is None else Account(*row[:5])
        return await system_account(db, display_name=display_name, found=account)
    return _user(sender, row)


def _user(sender: str, row: Any | None) -> Account:
    if row is None:
        raise UserNotFound(f"There is no user with the external id {sender!r} to send as.")
    if row.deactivated_at is not None:
        raise AccountDeactivated(f"The user {sender!r} is deactivated and cannot send.")
    return Account(*row[:5])


def _outcomes(to: list[str], rows: dict[str, Any]) -> list[Outcome]:
    outcomes = []
    for external_id in to:
        row = rows.get(external_id)
        if row is None:
            outcomes.append(Outcome(external_id, "unknown_user"))
        elif row.deactivated_at is not None:
            outcomes.append(Outcome(external_id, "deactivated"))
        else:
            outcomes.append(Outcome(external_id, "delivered"))
    return outcomes


def _withheld(
    outcomes: list[Outcome], rows: dict[str, Any], withheld: dict[str, str]
) -> list[Outcome]:
    """The outcomes once sent: a delivered recipient the send did not reach says why."""
    return [
        Outcome(o.to, withheld.get(rows[o.to].username, o.status))  # type: ignore[arg-type]
        if o.status == "delivered"
        else o
        for o in outcomes
    ]


def _refused(outcomes: list[Outcome], rows: dict[str, Any], refused: set[str]) -> list[Outcome]:
    """The outcomes with every recipient the policy refused (`refused`: username keys)
    as `policy_denied`."""
    return [
        Outcome(o.to, "policy_denied")
        if o.status == "delivered" and username_key(rows[o.to].username) in refused
        else o
        for o in outcomes
    ]


def _none_can_receive(outcomes: list[Outcome]) -> NoRecipientCanReceive:
    return NoRecipientCanReceive(
        "None of the recipients can receive the message; nothing was sent.",
        errors=[{"pointer": f"/body/to/{i}", "detail": o.status} for i, o in enumerate(outcomes)],
    )


async def address(
    db: Reader,
    *,
    sender: str,
    to: list[str],
    context: Context | None,
    reply_to: int | None,
) -> tuple[Account | None, threads.Addressed]:
    """Who sends and where a send_as goes, read without writing, for the pre-send hook:
    the sender's account (None for a platform that has not sent yet) and the usernames of
    the recipients who can receive. Raises what send_as raises for them."""
    to = _unique(to)
    found, rows = await _resolve(db, sender, to)
    if sender == SYSTEM:
        account = None if found is None else Account(*found[:5])
    else:
        account = _user(sender, found)
    outcomes = _outcomes(to, rows)
    delivered = [rows[o.to].username for o in outcomes if o.status == "delivered"]
    if not delivered:
        raise _none_can_receive(outcomes)
    if account is None:
        # A reply needs the sender's mailbox: send_as will refuse it (ReplyToNotFound).
        return None, threads.Addressed(delivered, context)
    addressed = await threads.address(
        db, sender=account, receivers=delivered, reply_to=reply_to, context=context
    )
    return account, addressed


async def send_as(
    db: AsyncSession,
    *,
    sender: str,
    to: list[str],
    subject: str,
    text: str,
    context: Context | None,
    reply_to: int | None,
    key: str | None,
    request: dict[str, Any],
    display_name: str,
    memory: HostIds | None = None,
    gate: Gate | None = None,
) -> SentAs:
    """Send one message from `sender` (an external id, or SYSTEM shown as
    `display_name`) to every recipient of `to` (external ids, each once) who can receive
    it, reading who they are from `memory` where it can. Raises UserNotFound (404) for an unknown sender, AccountDeactivated (403) for a
    deactivated one, NoRecipientCanReceive (422, nothing stored) when no recipient can
    receive, and what threads.send_in_thread raises for `reply_to` and `context`.

    With a `gate` (the messaging policy), a recipient the policy refuses is reported as
    `policy_denied` and the others receive the message; when the policy refuses every
    recipient who could receive, PolicyRefused (403 policy_denied), nothing stored.

    With `key` (Idempotency-Key), a retry of the same `request` repeats the first answer,
    outcomes included (idempotency.send_once); the key belongs to the sender, as a
    user's own keys do."""
    to = _unique(to)
    found, rows = await _resolve(db, sender, to, memory)
    account = await _sender(db, sender, found, display_name)
    outcomes = _outcomes(to, rows)

    async def send() -> MessageView:
        nonlocal rows, outcomes
        looked = False
        refused: set[str] = set()  # username keys the policy refused
        while True:
            outcomes = _refused(outcomes, rows, refused)
            delivered = [rows[o.to].username for o in outcomes if o.status == "delivered"]
            if not delivered:
                raise _none_can_receive(outcomes)
            try:
                view = await threads.send_in_thread(
                    db,
                    sender=account,
                    receivers=delivered,
                    subject=subject,
                    text=text,
                    reply_to=reply_to,
                    context=context,
                    alone=key is None,
                    gate=gate,
                )
            except PolicyRefused as error:
                if error.receivers.issuperset(map(username_key, delivered)):
                    raise
                refused |= error.receivers  # the others may still receive it
            except UnknownReceiver:  # ReceiverDeactivated too; the send stored nothing
                if looked:
                    raise
                looked = True
                # Deactivated (or gone) since they were read (or remembered), on
                # PostgreSQL, where that read did not lock them: read them again, once.
                _, rows = await _resolve(db, sender, to, memory, fresh=True)
                outcomes = _outcomes(to, rows)
            else:
                outcomes = _withheld(outcomes, rows, view.withheld)
                return view

    view, replayed = await idempotency.send_once(
        db, sender=account, key=key, request=request, send=send
    )
    if key is not None:
        if replayed:
            kept = await idempotency.remembered_outcomes(db, sender=account, key=key)
            outcomes = [Outcome(to, status) for to, status in kept]  # type: ignore[arg-type]
        else:
            await idempotency.remember_outcomes(
                db, sender=account, key=key, outcomes=[[o.to, o.status] for o in outcomes]
            )
    return SentAs(view, outcomes, replayed)
