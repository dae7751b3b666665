"""The graceful stop's parts that need no process: its budget and its two steps (the
sequence itself, signals and all, is tests/process/test_graceful_stop.py)."""

from __future__ import annotations

import pytest

from mailslot.shutdown import Shutdown, grace_period


@pytest.mark.parametrize(
    ("drain", "timeout", "grace"),
    [
        (0, 10, 9),  # the last second goes to the app's own shutdown
        (2, 10, 7),
        (9, 10, 0.5),  # half of what the drain leaves, when that is under 2 s
        (0, 0.1, 0.1),  # never below 0.1 s: uvicorn's wait must be positive
    ],
)
def test_uvicorn_waits_what_the_timeout_leaves_after_the_drain(
    drain: float, timeout: float, grace: float
) -> None:
    assert grace_period(drain=drain, timeout=timeout) == pytest.approx(grace)


def test_streams_end_on_set_not_on_drain() -> None:
    stop = Shutdown()
    ended: list[str] = []
    with stop.calling(lambda: ended.append("first")):
        stop.drain()
        assert stop.draining
        assert not stop.is_set
        assert ended == []
        stop.set()
        assert ended == ["first"]
    with stop.calling(lambda: ended.append("late")):  # opened after: ends at once
        pass
    assert ended == ["first", "late"]
