"""The webhooks scenario's receiver (bench/receiver.py): nginx answering 204 and logging
each request's arrival and `webhook-id`, read from a mark on."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
from bench.receiver import NGINX, Receiver

pytestmark = [
    pytest.mark.process,
    pytest.mark.timeout(60),
    pytest.mark.skipif(not NGINX.exists(), reason="nginx is not installed: make test installs it"),
]


def test_the_receiver_answers_at_once_and_logs_each_event_once(tmp_path: Path) -> None:
    with Receiver(tmp_path / "receiver") as receiver, httpx.Client(timeout=10) as client:

        def post(event_id: str) -> int:
            answer = client.post(receiver.url, content=b"{}", headers={"webhook-id": event_id})
            return answer.status_code

        assert post("msg_before") == 204
        eventually_logged(receiver, 1)
        receiver.mark()
        started = time.time()
        assert [post(event_id) for event_id in ("msg_a", "msg_b", "msg_a")] == [204] * 3
        eventually_logged(receiver, 3)
        arrivals = receiver.arrivals()

    assert sorted(arrivals) == ["msg_a", "msg_b"]  # a redelivery keeps its first arrival
    assert all(started - 1 <= arrived <= time.time() for arrived in arrivals.values())


def eventually_logged(receiver: Receiver, count: int) -> None:
    deadline = time.monotonic() + 10
    while receiver.requests() < count:
        assert time.monotonic() < deadline, f"{receiver.requests()} of {count} requests logged"
        time.sleep(0.02)
