"""Notes: small messages every process acts on (`{"forget_user": 42}`), apart from the
events of streams. The token cache needs only this; brokers implement it (bus/broker.py
says why, over Redis, a note's announcer can trust every instance to have acted)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

Note = dict[str, Any]  # a small JSON object for every process: {"forget_user": 42}
NoteHandler = Callable[[Note | None], None]  # None: "you may have missed notes"
# What a note may say: forget this user's tokens and rows, forget this server key, forget
# the messaging policy (the value is always 1). A note
# that says none of these (a newer version's) makes every cache forget everything.
NOTE_FIELDS = frozenset({"forget_user", "forget_key", "forget_policy"})


class Notes(Protocol):
    @property
    def coherent(self) -> bool:
        """Whether every process serving this database hears this broker's notes now."""

    def on_note(self, handler: NoteHandler) -> None:
        """Call `handler` in this process for every note announced by any process."""

    async def announce(self, note: Note) -> None:
        """Have every process act on `note`; returns once they have (or after a bounded
        wait, when one does not answer)."""


class NoteHandlers:
    """The handlers a process registered with `on_note`, told in order."""

    __slots__ = ("_handlers",)

    def __init__(self) -> None:
        self._handlers: list[NoteHandler] = []

    def add(self, handler: NoteHandler) -> None:
        self._handlers.append(handler)

    def tell(self, note: Note | None) -> None:
        for handler in self._handlers:
            handler(note)
