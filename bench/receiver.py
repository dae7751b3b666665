"""The bench's webhook receiver: answers 204 at once and notes, per request, the event's id
and how long after the event's time (its `timestamp`, taken in the send's transaction) the
request arrived. `GET /stats` reports them, `POST /reset` forgets them.

    python -m bench.receiver --port 9100
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import datetime
from typing import Any

import uvicorn

_arrivals: list[tuple[float, float]] = []  # (arrival, latency in ms)
_ids: set[str] = set()
_requests = 0


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    global _requests
    if scope["type"] != "http":
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    if scope["path"] == "/stats":
        await _answer(send, 200, json.dumps(_stats()).encode())
        return
    if scope["path"] == "/reset":
        _arrivals.clear()
        _ids.clear()
        _requests = 0
        await _answer(send, 204, b"")
        return
    now = time.time()
    _requests += 1
    headers = dict(scope["headers"])
    _ids.add(headers.get(b"webhook-id", b"").decode())
    sent_at = datetime.fromisoformat(json.loads(body)["timestamp"]).timestamp()
    _arrivals.append((now, (now - sent_at) * 1000))
    await _answer(send, 204, b"")


async def _answer(send: Any, status: int, body: bytes) -> None:
    headers = [(b"content-type", b"application/json")] if body else []
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _stats() -> dict[str, Any]:
    latencies = sorted(latency for _, latency in _arrivals)
    times = [arrival for arrival, _ in _arrivals]

    def at(share: float) -> float | None:
        return (
            latencies[min(len(latencies) - 1, int(len(latencies) * share))] if latencies else None
        )

    return {
        "requests": _requests,
        "events": len(_ids),
        "first": min(times, default=None),
        "last": max(times, default=None),
        "p50_ms": at(0.50),
        "p99_ms": at(0.99),
        "max_ms": latencies[-1] if latencies else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
