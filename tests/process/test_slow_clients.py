"""Slow clients against a real `mailslot serve`: request heads and bodies have deadlines,
so trickling connections are closed while everyone else is served."""

from __future__ import annotations

import anyio
import httpx
import pytest
from anyio.abc import SocketStream

from tests.support.servers import MailslotServer

pytestmark = [pytest.mark.process, pytest.mark.anyio, pytest.mark.timeout(60)]

DEADLINES = {"MAILSLOT_HEADER_TIMEOUT": "1", "MAILSLOT_BODY_TIMEOUT": "1"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    with MailslotServer(tmp_path_factory.mktemp("slow") / "data", env=DEADLINES) as server:
        yield server


async def read_until_closed(stream: SocketStream) -> bytes:
    """What the server writes before it closes the connection (bounded by the caller)."""
    received = b""
    while True:
        try:
            received += await stream.receive()
        except (anyio.EndOfStream, anyio.BrokenResourceError, ConnectionResetError):
            return received


async def test_an_unfinished_request_head_is_closed_with_408(server) -> None:
    async with await anyio.connect_tcp("127.0.0.1", server.port) as stream:
        await stream.send(b"GET /healthz HTTP/1.1\r\nHost: mailslot\r\n")
        with anyio.fail_after(5):
            answer = await read_until_closed(stream)
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert b'"code":"request_timeout"' in answer


async def test_a_head_trickled_a_line_at_a_time_is_still_closed(server) -> None:
    async with await anyio.connect_tcp("127.0.0.1", server.port) as stream:
        await stream.send(b"GET /healthz HTTP/1.1\r\n")
        with anyio.fail_after(5):
            async with anyio.create_task_group() as group:

                async def trickle() -> None:
                    for i in range(100):
                        await anyio.sleep(0.2)
                        await stream.send(b"X-Trickle-%d: 1\r\n" % i)

                group.start_soon(trickle)
                answer = await read_until_closed(stream)
                group.cancel_scope.cancel()
    assert answer.startswith(b"HTTP/1.1 408 ")


async def test_a_silent_connection_is_closed(server) -> None:
    async with await anyio.connect_tcp("127.0.0.1", server.port) as stream:
        with anyio.fail_after(5):
            answer = await read_until_closed(stream)
    assert answer.startswith(b"HTTP/1.1 408 ")


async def test_an_unfinished_body_is_closed(server) -> None:
    async with await anyio.connect_tcp("127.0.0.1", server.port) as stream:
        await stream.send(
            b"POST /users HTTP/1.1\r\nHost: mailslot\r\nContent-Type: application/json\r\n"
            b'Content-Length: 200\r\n\r\n{"username": '
        )
        with anyio.fail_after(5):
            answer = await read_until_closed(stream)
    assert answer.startswith(b"HTTP/1.1 408 ")
    async with httpx.AsyncClient(base_url=server.url) as client:
        assert (await client.get("/healthz")).status_code == 200
    assert "Traceback" not in server.log()


async def test_keep_alive_requests_each_get_their_own_deadline(server) -> None:
    async with await anyio.connect_tcp("127.0.0.1", server.port) as stream:
        for _ in range(3):
            await stream.send(b"GET /healthz HTTP/1.1\r\nHost: mailslot\r\n\r\n")
            answer = b""
            with anyio.fail_after(5):
                while not answer.endswith(b'{"status":"ok"}'):
                    answer += await stream.receive()
            assert answer.startswith(b"HTTP/1.1 200 ")
            await anyio.sleep(0.6)  # idle between requests, within keep-alive (5 s)


async def test_many_trickling_connections_do_not_stop_others(server) -> None:
    slow = 100
    closed_by_server = 0
    statuses: list[int] = []

    async def slowloris() -> None:
        nonlocal closed_by_server
        async with await anyio.connect_tcp("127.0.0.1", server.port) as stream:
            await stream.send(b"GET /healthz HTTP/1.1\r\nHost: mailslot\r\n")
            with anyio.move_on_after(10):
                for i in range(100):
                    try:
                        await stream.send(b"X-Slow-%d: 1\r\n" % i)
                    except (anyio.BrokenResourceError, ConnectionResetError):
                        closed_by_server += 1
                        return
                    await anyio.sleep(0.3)

    async with httpx.AsyncClient(base_url=server.url) as client, anyio.create_task_group() as group:
        for _ in range(slow):
            group.start_soon(slowloris)
        for _ in range(30):
            statuses.append((await client.get("/healthz")).status_code)
            await anyio.sleep(0.05)
    assert statuses == [200] * 30
    assert closed_by_server == slow
