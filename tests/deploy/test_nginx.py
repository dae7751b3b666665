"""deploy/nginx/mailslot.conf in front of two instances over PostgreSQL + Redis, as an
operator runs it (Debian's nginx as the test's own user): live streams and request ids
through the proxy, and a rolling restart under a send load that loses nothing."""

from __future__ import annotations

import json
import re
import signal
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import anyio
import httpx
import pytest
import websockets

from tests.fault.harness import OK, Account, SendLoad, check, read_everything, register
from tests.support.factories import make_user, send
from tests.support.nginx import NGINX, SHIPPED, NginxServer
from tests.support.servers import MailslotServer, postgres_instances
from tests.support.sse import frames

pytestmark = [
    pytest.mark.process,
    pytest.mark.anyio,
    pytest.mark.timeout(300),
    pytest.mark.skipif(not NGINX.exists(), reason="nginx is not installed: make test installs it"),
]

RATE = 20  # sends a second through the proxy, open loop
DRAIN = "1"  # MAILSLOT_SHUTDOWN_DRAIN of the instances
FAIL_TIMEOUT = max(int(s) for s in re.findall(r"fail_timeout=(\d+)s", SHIPPED.read_text()))


@dataclass
class Deployment:
    instances: list[MailslotServer]
    proxy: NginxServer


@pytest.fixture(scope="module")
async def deployment(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Deployment]:
    root = tmp_path_factory.mktemp("deployment")
    drain = {"MAILSLOT_SHUTDOWN_DRAIN": DRAIN}
    async with postgres_instances(root, drain, drain) as (instances, _):
        proxy = NginxServer(root / "nginx", instances).start()
        try:
            yield Deployment(instances, proxy)
        finally:
            proxy.stop()


def ws_base(url: str) -> str:
    return url.replace("http://", "ws://")


async def test_a_send_through_the_proxy_reaches_streams_through_it(deployment) -> None:
    proxy = deployment.proxy
    async with httpx.AsyncClient(base_url=proxy.url, timeout=10) as client:
        alice, bob = await make_user(client), await make_user(client)
        ticket = await client.post(f"/users/{bob.username}/stream-tickets", headers=bob.headers)
        assert ticket.status_code == 201, ticket.text
        events_url = f"{proxy.url}/users/{bob.username}/events?ticket={ticket.json()['ticket']}"
        async with (
            httpx.AsyncClient(timeout=httpx.Timeout(5, read=None)) as streams,
            streams.stream("GET", events_url) as response,
            websockets.connect(
                f"{ws_base(proxy.url)}/users/{bob.username}/ws", additional_headers=bob.headers
            ) as ws,
        ):
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            events = frames(response.aiter_lines())
            with anyio.fail_after(5):
                opening = await anext(events)
            assert opening.id == "0"
            sent = await send(client, alice, bob, subject="through the proxy")
            with anyio.fail_after(2):  # unbuffered: each event passes at once
                over_sse = await anext(events)
                over_ws = json.loads(await ws.recv())
    expected = {"type": "message.created", "id": 1, "data": {**sent, "read": False, "box": "inbox"}}
    assert over_sse.envelope == over_ws == expected


async def test_request_ids_pass_through_the_proxy(deployment) -> None:
    proxy = deployment.proxy
    async with httpx.AsyncClient(base_url=proxy.url, timeout=10) as client:
        mine = await client.get("/healthz", headers={"X-Request-ID": "restart-test-0001"})
        made = await client.get("/healthz")
    assert mine.headers["x-request-id"] == "restart-test-0001"
    # Without one, nginx's own ($request_id), which the instance keeps and echoes.
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers["x-request-id"])
    for request_id in ("restart-test-0001", made.headers["x-request-id"]):
        # Both access logs are written once the answer has gone: wait for the lines.
        with anyio.fail_after(5):
            while not (  # noqa: ASYNC110 (a file has no event to wait on)
                f"id={request_id} " in proxy.access_log
                and any(request_id in instance.log() for instance in deployment.instances)
            ):
                await anyio.sleep(0.05)


async def test_the_proxy_refuses_a_body_over_the_instances_limit(deployment) -> None:
    async with httpx.AsyncClient(base_url=deployment.proxy.url, timeout=10) as client:
        too_big = await client.post("/users", content=b"x" * (1024 * 1024 + 1))
        at_limit = await client.post(
            "/users", content=b" " * (1024 * 1024), headers={"Content-Type": "application/json"}
        )
    assert too_big.status_code == 413
    # At the limit the instance itself reads the body (and finds no JSON in it): the two
    # limits agree.
    assert at_limit.status_code == 400, at_limit.text
    assert at_limit.json()["code"] == "malformed_json"


@dataclass
class StreamRecord:
    """What one live client saw across its reconnections."""

    transport: str
    ids: list[int] = field(default_factory=list)
    subjects: set[str] = field(default_factory=set)
    endings: list[str] = field(default_factory=list)
    retries_ms: list[int] = field(default_factory=list)
    expected: set[str] | None = None  # once known: the subjects it must see
    caught_up: anyio.Event = field(default_factory=anyio.Event)

    def see(self, envelope: dict[str, object]) -> None:
        self.ids.append(int(str(envelope["id"])))
        data = envelope["data"]
        assert isinstance(data, dict)
        self.subjects.add(str(data["subject"]))
        self.expect(self.expected)

    def expect(self, subjects: set[str] | None) -> None:
        self.expected = subjects
        if subjects is not None and subjects <= self.subjects:
            self.caught_up.set()

    @property
    def last(self) -> int:
        return self.ids[-1] if self.ids else 0

    @property
    def gaps(self) -> list[tuple[int, int]]:
        """Pairs of consecutive ids that are not one apart (a gap, or a repeat)."""
        return [(a, b) for a, b in zip([0, *self.ids], self.ids, strict=False) if b != a + 1]


async def follow_sse(base: str, sink: Account, record: StreamRecord) -> None:
    """An EventSource: reconnects with Last-Event-ID, after the `retry:` it was given."""
    retry = 0.5
    async with httpx.AsyncClient(timeout=httpx.Timeout(5, read=60)) as client:
        while True:
            headers = {**sink.headers, "Last-Event-ID": str(record.last)}
            try:
                async with client.stream(
                    "GET", f"{base}/users/{sink.username}/events", headers=headers
                ) as response:
                    if response.status_code != 200:
                        record.endings.append(str(response.status_code))
                    else:
                        async for frame in frames(response.aiter_lines()):
                            if frame.retry is not None:
                                record.retries_ms.append(frame.retry)
                                retry = frame.retry / 1000
                            if frame.data:
                                record.see(frame.envelope)
                            record.endings += [c for c in frame.comments if c.startswith("end")]
            except httpx.TransportError as exc:
                record.endings.append(type(exc).__name__)
            await anyio.sleep(retry)


async def follow_ws(base: str, sink: Account, record: StreamRecord) -> None:
    """A WebSocket client that reconnects with `since` on any close."""
    while True:
        url = f"{ws_base(base)}/users/{sink.username}/ws?since={record.last}"
        try:
            async with websockets.connect(url, additional_headers=sink.headers) as ws:
                async for text in ws:
                    record.see(json.loads(text))
        except websockets.ConnectionClosed as exc:
            record.endings.append(str(exc.rcvd.code) if exc.rcvd else "cut")
        except (OSError, websockets.InvalidHandshake) as exc:
            record.endings.append(type(exc).__name__)
        await anyio.sleep(0.5)


async def test_a_rolling_restart_loses_no_send_and_no_event(deployment) -> None:
    """Under a steady send load through the proxy, each instance in turn gets SIGTERM, exits
    and starts again. Sends carry Idempotency-Keys and are retried with them while their
    outcome is unknown; two SSE and two WebSocket clients follow the receiver through the
    proxy. Every acknowledged send is stored once and reached every stream, whose ids have
    no gap across its reconnections."""
    base = deployment.proxy.url
    sink = await anyio.to_thread.run_sync(register, base)
    senders = [await anyio.to_thread.run_sync(register, base) for _ in range(4)]
    load = SendLoad(
        targets=lambda: [base], senders=senders, sink=sink, rate=RATE, keyed=True, retries=5
    )
    records = [StreamRecord("sse"), StreamRecord("sse"), StreamRecord("ws"), StreamRecord("ws")]
    stopped_in: list[float] = []
    exit_codes: list[int | None] = []
    stop = anyio.Event()
    async with anyio.create_task_group() as streams:
        for record in records:
            follow = follow_sse if record.transport == "sse" else follow_ws
            streams.start_soon(follow, base, sink, record)
        async with anyio.create_task_group() as group:
            group.start_soon(load.run, stop)
            await anyio.sleep(2)
            for instance in deployment.instances:
                assert instance.process is not None
                signalled = time.monotonic()
                instance.process.send_signal(signal.SIGTERM)
                exit_codes.append(await anyio.to_thread.run_sync(instance.process.wait))
                stopped_in.append(time.monotonic() - signalled)
                instance.args = ("--no-migrate",)
                await anyio.to_thread.run_sync(instance.start)
                # nginx takes it back once its fail_timeout is over: then the next one.
                await anyio.sleep(FAIL_TIMEOUT + 1)
            stop.set()
        acknowledged = {op.nonce for op in load.history if op.outcome == OK}
        with anyio.fail_after(30):  # every stream catches up (some wait out a retry)
            for record in records:
                record.expect(acknowledged)
                await record.caught_up.wait()
        streams.cancel_scope.cancel()

    stored = await anyio.to_thread.run_sync(read_everything, base, sink)
    verdict = check(load.history, stored)
    seen = Counter(s for op in load.history for s in [*op.earlier, str(op.status or op.error)])
    server_errors = sum(n for s, n in seen.items() if s.isdigit() and int(s) >= 500)
    retried = sum(1 for op in load.history if op.earlier)
    refused = deployment.proxy.error_log().count("(111: Connection refused)")
    sys.stdout.write(
        f"\nrolling restart of 2 instances behind nginx at {RATE} sends/s: {verdict}\n"
        f"  5xx answers seen by clients: {server_errors}; sends retried by their client: "
        f"{retried}; every status or error met: {dict(seen)}\n"
        f"  SIGTERM to exit: {', '.join(f'{t:.2f} s' for t in stopped_in)}; connections "
        f"nginx found refused and passed on: {refused}\n"
    )
    for record in records:
        sys.stdout.write(
            f"  {record.transport}: {len(record.ids)} events, gaps {record.gaps}, "
            f"endings {dict(Counter(record.endings))}, retry hints {record.retries_ms}\n"
        )
    assert verdict.valid, verdict
    assert verdict.acknowledged >= 100, verdict  # the check had something to check
    assert exit_codes == [-signal.SIGTERM, -signal.SIGTERM]
    for record in records:
        assert record.gaps == [], record
        assert acknowledged <= record.subjects
        # Each stream met both restarts: it ended (retry hint, 1012) and came back.
        assert record.endings.count("end restart" if record.transport == "sse" else "1012") >= 1
