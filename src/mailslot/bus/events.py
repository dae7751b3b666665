"""Change events: the one envelope, its wire forms, and publication after commit.

Every change to a mailbox travels as `{"type", "id", "data"}`: `id` is the user's change
sequence number, so a client resumes from the last id it saw. Services hand events to
`publish_on_commit`; they reach the broker only once the transaction that wrote them has
committed (Zulip's send_event_on_commit), so no client hears of a row it cannot read.
"""

from __future__ import annotations

import json
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final, Literal, Protocol

from sqlalchemy import event as sa_event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

EventType = Literal["message.created", "message.updated", "message.deleted"]
EVENT_TYPES: Final = frozenset({"message.created", "message.updated", "message.deleted"})
# A signal between instances, never sent to a client: one of the user's tokens was
# revoked, so open streams re-check theirs.
SESSION_ENDED: Final = "session.ended"

MAX_WIRE_BYTES: Final = 1 << 20  # a 64 KiB body escaped as \uXXXX stays well below

_PENDING: Final = "mailslot.pending_events"
_PUBLISHER: Final = "mailslot.publisher"


@dataclass(frozen=True, slots=True)
class Event:
    """One change of one user's mailbox (`id` is its sequence number), or a signal."""

    user_id: int
    type: str
    id: int
    data: dict[str, Any] = field(default_factory=dict)
    # When its transaction committed (Unix time), for the commit-to-push lag (metrics.py);
    # 0 for an event read back from the change log.
    committed_at: float = field(default=0.0, compare=False, repr=False)

    @property
    def is_signal(self) -> bool:
        return self.type not in EVENT_TYPES

    def envelope(self) -> dict[str, Any]:
        return {"type": self.type, "id": self.id, "data": self.data}

    def envelope_json(self) -> str:
        return json.dumps(self.envelope(), separators=(",", ":"))


def encode(event: Event, *, origin: str, deployment: str) -> bytes:
    """The form published between instances."""
    return json.dumps(
        {
            "deployment": deployment,
            "origin": origin,
            "user": event.user_id,
            "type": event.type,
            "id": event.id,
            "data": event.data,
            "at": event.committed_at,
        },
        separators=(",", ":"),
    ).encode()


class InvalidPayload(ValueError):
    """A payload from another instance (or from anyone who reaches Redis) that is not ours."""


def decode(payload: bytes, *, user_id: int, deployment: str) -> tuple[str, Event]:
    """The origin and event of a payload received on `user_id`'s channel. Checks size,
    JSON, shape, deployment and recipient, and never trusts more than that: raises
    InvalidPayload."""
    if len(payload) > MAX_WIRE_BYTES:
        raise InvalidPayload(f"{len(payload)} bytes")
    try:
        body = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        raise InvalidPayload("not JSON") from None
    if not isinstance(body, dict):
        raise InvalidPayload("not an object")
    origin, user, kind, seq, data = (
        body.get(key) for key in ("origin", "user", "type", "id", "data")
    )
    if not isinstance(origin, str) or not isinstance(data, dict):
        raise InvalidPayload("missing origin or data")
    if body.get("deployment") != deployment:
        raise InvalidPayload("from another deployment")
    if type(user) is not int or user != user_id:
        raise InvalidPayload("addressed to another user")
    if kind in EVENT_TYPES:
        if type(seq) is not int or seq < 1:
            raise InvalidPayload("bad sequence number")
    elif kind != SESSION_ENDED:
        raise InvalidPayload("unknown type")
    at = body.get("at")
    return origin, Event(
        user_id=user,
        type=kind,
        id=seq if type(seq) is int else 0,
        data=data,
        committed_at=at if isinstance(at, float) else 0.0,
    )


@dataclass(frozen=True, slots=True)
class ChangePage:
    events: list[Event]
    latest: int  # the user's newest sequence number


class ChangeLog(Protocol):
    """The per-user change log as streams and brokers read it, each read in a short
    transaction of its own: nothing holds a database connection between reads."""

    async def read(self, user_id: int, *, since: int | None, limit: int) -> ChangePage:
        """The changes after `since` (none for None), in order; raises ResyncRequired when
        some of them are no longer kept."""

    async def heads(self, user_ids: Collection[int]) -> dict[int, int]:
        """The newest sequence number of each user."""


class Publisher(Protocol):
    def publish(self, events: Sequence[Event]) -> None: ...


def publish_on_commit(db: AsyncSession, events: Sequence[Event]) -> None:
    """Publish these events once the session's transaction commits; drop them if it (or
    the savepoint they were written in) rolls back."""
    session = db.sync_session
    savepoint = session.get_nested_transaction()
    session.info.setdefault(_PENDING, []).append((savepoint, list(events)))


def session_info(publisher: Publisher) -> dict[str, Any]:
    """The `info` of sessions whose committed events go to this publisher."""
    _listen_once()
    return {_PUBLISHER: publisher}


def _after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    publisher: Publisher | None = session.info.get(_PUBLISHER)
    if pending and publisher is not None:
        now = time.time()
        publisher.publish(
            [replace(event, committed_at=now) for _, batch in pending for event in batch]
        )


def _after_soft_rollback(session: Session, previous: SessionTransaction) -> None:
    pending = session.info.get(_PENDING)
    if not pending:
        return
    if not previous.nested:
        session.info.pop(_PENDING, None)
        return
    # Only what was written inside the rolled-back savepoint (or deeper) is void.
    session.info[_PENDING] = [
        (savepoint, batch) for savepoint, batch in pending if not _within(savepoint, previous)
    ]


def _within(savepoint: SessionTransaction | None, ancestor: SessionTransaction) -> bool:
    while savepoint is not None:
        if savepoint is ancestor:
            return True
        savepoint = savepoint.parent
    return False


def _listen_once() -> None:
    if not sa_event.contains(Session, "after_commit", _after_commit):
        sa_event.listen(Session, "after_commit", _after_commit)
        sa_event.listen(Session, "after_soft_rollback", _after_soft_rollback)
