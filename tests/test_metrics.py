"""Metrics in one process: the labels a request gets, MAILSLOT_METRICS=false, the
allow-list's addresses, dead workers' files, and the commit time carried between
instances. Under `--workers 2`: tests/process/test_metrics.py."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager
from starlette.types import Message, Receive, Scope, Send

from mailslot import metrics
from mailslot.app import create_app
from mailslot.bus.events import Event, decode, encode
from mailslot.db.engine import make_engine
from tests.support.databases import make_settings

pytestmark = pytest.mark.anyio


def requests_counted(method: str, route: str, status: str) -> float:
    value = metrics.REGISTRY.get_sample_value(
        "mailslot_http_requests_total", {"method": method, "route": route, "status": status}
    )
    return value or 0.0


@pytest.mark.parametrize(
    ("method", "path", "labels"),
    [
        ("GET", "/healthz", ("GET", "/healthz", "2xx")),
        (
            "GET",
            "/users/someone/messages/123",
            ("GET", "/users/{username}/messages/{message_id}", "4xx"),
        ),
        ("GET", "/no/such/address/42", ("GET", "unmatched", "4xx")),
        ("GET", "/docs/assets/swagger-ui-bundle.js", ("GET", "/docs/assets/{path}", "2xx")),
        ("PROPFIND", "/healthz", ("other", "/healthz", "4xx")),
    ],
)
async def test_a_request_is_counted_by_its_template_never_its_path(
    client: httpx.AsyncClient, method: str, path: str, labels: tuple[str, str, str]
) -> None:
    before = requests_counted(*labels)
    await client.request(method, path)
    assert requests_counted(*labels) == before + 1


async def test_metrics_off_serve_nothing_and_count_nothing(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, f"sqlite+aiosqlite:///{tmp_path}/off.db", metrics=False)
    app = create_app(settings)
    assert metrics.RequestMetrics not in {getattr(m, "cls", None) for m in app.user_middleware}
    before = requests_counted("GET", "/metrics", "4xx")
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            response = await client.get("/metrics")
    assert response.status_code == 404
    assert requests_counted("GET", "/metrics", "4xx") == before
    engine = make_engine(settings)
    assert not isinstance(engine.sync_engine.pool, metrics.MeteredPool)
    await engine.dispose()


async def test_metrics_on_their_own_port_leave_the_api_port(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, f"sqlite+aiosqlite:///{tmp_path}/p.db", metrics_port=9)
    app = create_app(settings)
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            assert (await client.get("/metrics")).status_code == 404
            assert (await client.get("/healthz")).status_code == 200


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("::ffff:127.0.0.1", True),  # IPv4 on a dual-stack socket
        ("10.1.2.3", True),
        ("203.0.113.7", False),
        ("fe80::1", False),
        ("not-an-address", False),
        (None, False),
    ],
)
def test_the_allow_list_reads_networks(host: str | None, allowed: bool) -> None:
    assert metrics.client_allowed(host, ["127.0.0.0/8", "::1/128", "10.0.0.0/8"]) is allowed


def test_dead_workers_leave_the_live_gauges_and_keep_their_counts(tmp_path: Path) -> None:
    dead = subprocess.Popen(["true"])
    dead.wait()
    alive = subprocess.Popen(["sleep", "30"])
    try:
        names = [
            f"gauge_livesum_{dead.pid}.db",
            f"gauge_livemin_{dead.pid}.db",
            f"counter_{dead.pid}.db",
            f"gauge_max_{dead.pid}.db",
            f"gauge_livesum_{alive.pid}.db",
        ]
        for name in names:
            (tmp_path / name).write_bytes(b"")
        metrics.reap_dead_workers(str(tmp_path))
        assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
            [f"counter_{dead.pid}.db", f"gauge_max_{dead.pid}.db", f"gauge_livesum_{alive.pid}.db"]
        )
    finally:
        alive.kill()
        alive.wait()


def test_the_commit_time_crosses_to_other_instances() -> None:
    committed = time.time()
    event = Event(7, "message.created", 3, {"x": 1}, committed_at=committed)
    payload = encode(event, origin="o", deployment="d")
    _, received = decode(payload, user_id=7, deployment="d")
    assert received.committed_at == committed
    assert received == event  # the commit time is not part of an event's identity
    older = payload.replace(b',"at":' + repr(committed).encode(), b"")
    assert older != payload
    assert decode(older, user_id=7, deployment="d")[1].committed_at == 0.0


async def test_an_event_stream_leaves_the_request_metrics_once_its_headers_are_out() -> None:
    """Its hour-long life would drown the latency histogram: the live-connection metrics
    follow it instead."""
    seen_in_flight: list[int] = []

    async def stream(scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(b"content-type", b"text/event-stream; charset=utf-8")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        seen_in_flight.append(metrics.LOCAL.in_flight)
        await send({"type": "http.response.body", "body": b": ping\n\n", "more_body": False})

    layer = metrics.RequestMetrics(stream)
    scope = {"type": "http", "method": "GET", "path": "/stream", "root_path": "", "headers": []}
    durations = "mailslot_http_request_duration_seconds_count"
    labels = {"method": "GET", "route": "unmatched"}
    before = metrics.REGISTRY.get_sample_value(durations, labels) or 0.0
    counted = requests_counted("GET", "unmatched", "2xx")
    in_flight = metrics.LOCAL.in_flight

    async def receive() -> Message:
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        pass

    await layer(scope, receive, send)
    assert seen_in_flight == [in_flight]  # out as soon as its headers were
    assert metrics.LOCAL.in_flight == in_flight
    assert requests_counted("GET", "unmatched", "2xx") == counted + 1
    assert (metrics.REGISTRY.get_sample_value(durations, labels) or 0.0) == before
