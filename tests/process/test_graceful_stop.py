"""SIGTERM to `mailslot serve`, one process at a time (docs/deployment.md, Graceful restarts):
/readyz turns 503 at once while everything else is still served; at the end of the drain
new connections are refused, SSE streams end with a jittered retry, WebSockets close with
1012, and a request in flight still gets its answer; the process exits, however many
streams are open."""

from __future__ import annotations

import json
import signal
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import httpx
import pytest
import websockets

from mailslot.realtime.sse import RESTART_RETRY_MS
from tests.support.factories import make_user
from tests.support.servers import MailslotServer
from tests.support.sse import Frame, frames

pytestmark = [pytest.mark.process, pytest.mark.anyio, pytest.mark.timeout(120)]

DRAIN = 2.0
# Long enough that the request held in flight is never cut off by the grace period
# (the timeout less the drain and the app's shutdown: 7 s at the default 10) while a
# busy machine runs the checks before its body is released.
TIMEOUT = 60.0


def ws_url(server: MailslotServer, path: str) -> str:
    return server.url.replace("http://", "ws://") + path


async def _start(server: MailslotServer) -> MailslotServer:
    return await anyio.to_thread.run_sync(server.start)


async def _exited(server: MailslotServer) -> int:
    assert server.process is not None
    return await anyio.to_thread.run_sync(server.process.wait)


@pytest.mark.parametrize("workers", ["1", "2"])
async def test_sigterm_drains_then_refuses_ends_streams_and_finishes_requests(
    tmp_path: Path, workers: str
) -> None:
    server = MailslotServer(
        tmp_path / "data",
        env={"MAILSLOT_SHUTDOWN_DRAIN": str(DRAIN), "MAILSLOT_SHUTDOWN_TIMEOUT": str(TIMEOUT)},
        args=("--workers", workers),
    )
    await _start(server)
    assert server.process is not None
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
            alice, bob = await make_user(client), await make_user(client)
            body_held = anyio.Event()
            body_released = anyio.Event()
            answer: list[httpx.Response] = []

            async def slow_body() -> AsyncIterator[bytes]:
                payload = json.dumps(
                    {"receiver": bob.username, "subject": "in flight", "message": "held"}
                ).encode()
                yield payload[:10]
                body_held.set()
                await body_released.wait()
                yield payload[10:]

            async def send_slowly() -> None:
                async with httpx.AsyncClient(base_url=server.url, timeout=30) as own:
                    answer.append(
                        await own.post(
                            f"/users/{alice.username}/messages",
                            content=slow_body(),
                            headers={**alice.headers, "Content-Type": "application/json"},
                        )
                    )

            async with (
                httpx.AsyncClient(timeout=httpx.Timeout(5, read=None)) as streams,
                streams.stream(
                    "GET", f"{server.url}/users/{bob.username}/events", headers=bob.headers
                ) as response,
                websockets.connect(
                    ws_url(server, f"/users/{bob.username}/ws"), additional_headers=bob.headers
                ) as ws,
                anyio.create_task_group() as group,
            ):
                events = frames(response.aiter_lines())
                with anyio.fail_after(5):
                    await anext(events)  # the opening frame: the stream is subscribed
                group.start_soon(send_slowly)
                with anyio.fail_after(5):
                    await body_held.wait()

                server.process.send_signal(signal.SIGTERM)
                signalled = time.monotonic()
                with anyio.fail_after(DRAIN):  # at once, well within the drain
                    while True:
                        ready = await client.get("/readyz", headers={"Connection": "close"})
                        if ready.status_code == 503:
                            break
                assert ready.json()["code"] == "service_unavailable"
                assert ready.json()["detail"] == "The server is shutting down."
                # Draining is not refusing: a new connection's request is served.
                healthz = await client.get("/healthz", headers={"Connection": "close"})
                assert healthz.status_code == 200

                with anyio.fail_after(DRAIN + 5):
                    rest: list[Frame] = [frame async for frame in events]
                    with pytest.raises(websockets.ConnectionClosed) as closed:
                        await ws.recv()
                ended = time.monotonic() - signalled
                # The listener closed with the drain; the request in flight keeps the
                # process alive meanwhile.
                with anyio.fail_after(5):
                    while True:
                        try:
                            async with httpx.AsyncClient(timeout=2) as fresh:
                                await fresh.get(f"{server.url}/healthz")
                        # Refused, or (in the moment the listener closes) accepted and
                        # closed unanswered: either way no new request is served.
                        except (httpx.ConnectError, httpx.ReadError):
                            break
                        await anyio.sleep(0.05)  # the worker's tick (0.1 s) closes it
                assert server.process.poll() is None
                body_released.set()
            code = await _exited(server)
        assert answer[0].status_code == 201, answer[0].text
        assert answer[0].json()["subject"] == "in flight"
        assert rest[-1].comments == ["end restart"]
        assert rest[-1].retry is not None
        assert RESTART_RETRY_MS[0] <= rest[-1].retry <= RESTART_RETRY_MS[1]
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 1012
        assert ended >= DRAIN  # the streams outlived the drain
        # uvicorn ends a single process by its signal, a supervisor with 0; the watchdog
        # would have exited with WATCHDOG_EXIT.
        assert code in (0, -signal.SIGTERM), server.log()
        assert "timeout graceful shutdown exceeded" not in server.log()
    finally:
        server.stop()


async def test_a_server_with_hundreds_of_open_streams_stops_at_once(tmp_path: Path) -> None:
    """200 streams (SSE and WebSocket, half each) all end and the process exits: the
    time from SIGTERM to exit is printed, not asserted (the timeout is the watchdog's)."""
    count = 200
    server = MailslotServer(tmp_path / "data", env={"MAILSLOT_MAX_STREAMS_PER_USER": "0"})
    await _start(server)
    assert server.process is not None
    endings: list[str] = []
    opened = 0
    all_open = anyio.Event()
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
            bob = await make_user(client)
        limits = httpx.Limits(max_connections=count)
        timeout = httpx.Timeout(10, read=None)

        def one_more() -> None:
            nonlocal opened
            opened += 1
            if opened == count:
                all_open.set()

        async def sse(streams: httpx.AsyncClient) -> None:
            url = f"{server.url}/users/{bob.username}/events"
            async with streams.stream("GET", url, headers=bob.headers) as response:
                assert response.status_code == 200
                events = frames(response.aiter_lines())
                await anext(events)
                one_more()
                rest = [frame async for frame in events]
            endings.append(rest[-1].comments[-1] if rest and rest[-1].comments else "cut")

        async def ws() -> None:
            url = ws_url(server, f"/users/{bob.username}/ws")
            async with websockets.connect(url, additional_headers=bob.headers) as socket:
                one_more()
                try:
                    await socket.recv()
                except websockets.ConnectionClosed as exc:
                    endings.append(str(exc.rcvd.code) if exc.rcvd else "cut")

        async with (
            httpx.AsyncClient(limits=limits, timeout=timeout) as streams,
            anyio.create_task_group() as group,
        ):
            for i in range(count):
                group.start_soon(sse, streams) if i % 2 else group.start_soon(ws)
            with anyio.fail_after(60):
                await all_open.wait()
            # A WebSocket is open once its handshake is done, before its subscription:
            # wait until the server holds every stream.
            await anyio.sleep(0.5)
            server.process.send_signal(signal.SIGTERM)
            signalled = time.monotonic()
            code = await _exited(server)
            took = time.monotonic() - signalled
        sys.stdout.write(f"\nSIGTERM with {count} open streams: exited in {took:.2f} s\n")
        assert sorted(set(endings)) == ["1012", "end restart"]
        assert endings.count("1012") == endings.count("end restart") == count // 2
        # uvicorn ends a single process by its signal, a supervisor with 0; the watchdog
        # would have exited with WATCHDOG_EXIT.
        assert code in (0, -signal.SIGTERM), server.log()
        assert "timeout graceful shutdown exceeded" not in server.log()
    finally:
        server.stop()


async def test_a_request_that_never_ends_does_not_hold_the_stop(tmp_path: Path) -> None:
    """A body that stops arriving half-way (its deadline is a minute) is cut off when the
    timeout's grace is over: the process exits all the same, by itself."""
    server = MailslotServer(tmp_path / "data", env={"MAILSLOT_SHUTDOWN_TIMEOUT": "3"})
    await _start(server)
    assert server.process is not None
    held = anyio.Event()

    async def endless_body() -> AsyncIterator[bytes]:
        yield b'{"receiver": '
        held.set()
        await anyio.sleep_forever()

    try:
        async with (
            httpx.AsyncClient(base_url=server.url, timeout=30) as client,
            anyio.create_task_group() as group,
        ):
            alice = await make_user(client)

            async def post() -> None:
                await client.post(
                    f"/users/{alice.username}/messages",
                    content=endless_body(),
                    headers={**alice.headers, "Content-Type": "application/json"},
                )

            group.start_soon(post)
            await held.wait()
            server.process.send_signal(signal.SIGTERM)
            signalled = time.monotonic()
            code = await _exited(server)
            took = time.monotonic() - signalled
            group.cancel_scope.cancel()  # the client still waits to send the rest
        sys.stdout.write(f"\nSIGTERM with a request that never ends: exited in {took:.2f} s\n")
        assert code == -signal.SIGTERM, server.log()
        assert "timeout graceful shutdown exceeded" in server.log()
    finally:
        server.stop()
