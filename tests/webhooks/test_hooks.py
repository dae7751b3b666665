"""Which change-log entries are webhook events (Entry.hook): pure."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mailslot.messages.events import message_created, message_deleted, message_updated
from mailslot.messages.store.base import Entry
from mailslot.messages.views import MessageView

VIEW = MessageView(
    id=7,
    sender="alice",
    receivers=["bob"],
    subject="s",
    body="b",
    created_at=datetime(2026, 12, 7, tzinfo=UTC),
    client_timestamp=None,
    thread_id=7,
    reply_to_id=None,
    is_receiver=True,
    read_at=datetime(2026, 12, 7, 1, tzinfo=UTC),
)


@pytest.mark.parametrize(
    ("entry", "hook"),
    [
        (message_created(2, VIEW, "inbox"), "message.created"),
        (message_created(1, VIEW, "sent"), None),
        (message_created(2, VIEW, "inbox", restored=True), None),
        (message_updated(2, 7, VIEW.read_at), "message.read"),
        (message_updated(2, 7, None), "message.unread"),
        (message_deleted(2, 7, "own"), "message.deleted"),
        (message_deleted(1, 7, "everyone"), "message.deleted"),
        (Entry(2, "message.created", 7, {"box": "inbox"}), "message.created"),
        (Entry(2, "something.else", 7, {}), None),
    ],
)
def test_an_entry_is_the_webhook_event_of_its_change(entry: Entry, hook: str | None) -> None:
    assert entry.hook == hook


def test_a_restore_is_logged_as_before_plus_a_mark() -> None:
    restored = message_created(2, VIEW, "inbox", restored=True)
    assert restored.stored == {
        "box": "inbox",
        "read_at": VIEW.read_at.isoformat() if VIEW.read_at else None,
        "restored": True,
    }
    assert restored.data == message_created(2, VIEW, "inbox", restored=True).data
