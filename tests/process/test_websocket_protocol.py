"""The WebSocket protocol as `mailslot serve` speaks it (uvicorn with wsproto,
cli.uvicorn_options): no permessage-deflate, server pings at the heartbeat interval, and a
message over `MAILSLOT_WS_MAX_BYTES` closed with 1009. A raw socket and a wsproto client
see what client libraries answer or hide."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, CloseConnection, Event, Ping, Request, TextMessage
from wsproto.extensions import PerMessageDeflate

from tests.fault.harness import register
from tests.support.servers import MailslotServer

pytestmark = [pytest.mark.process, pytest.mark.timeout(60)]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MailslotServer]:
    env = {"MAILSLOT_STREAM_HEARTBEAT": "0.3", "MAILSLOT_WS_MAX_BYTES": "1024"}
    server = MailslotServer(Path(tmp_path_factory.mktemp("ws")), env=env).start()
    try:
        yield server
    finally:
        server.stop()


class RawSocket:
    """A WebSocket client that offers permessage-deflate and answers nothing by itself."""

    def __init__(self, server: MailslotServer) -> None:
        account = register(server.url)
        self.socket = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        self.connection = WSConnection(ConnectionType.CLIENT)
        self.send(
            Request(
                host="127.0.0.1",
                target=f"/users/{account.username}/ws",
                extra_headers=[(b"authorization", f"Bearer {account.token}".encode())],
                extensions=[PerMessageDeflate()],
            )
        )

    def send(self, event: Event) -> None:
        self.socket.sendall(self.connection.send(event))

    def next(self) -> Event:
        """The next event the server sends (socket.timeout after 5 s of nothing)."""
        while True:
            for event in self.connection.events():
                return event
            data = self.socket.recv(65536)
            self.connection.receive_data(data or None)

    def close(self) -> None:
        self.socket.close()


@pytest.fixture
def raw(server: MailslotServer) -> Iterator[RawSocket]:
    client = RawSocket(server)
    try:
        yield client
    finally:
        client.close()


def test_the_handshake_declines_compression(raw: RawSocket) -> None:
    accepted = raw.next()
    assert isinstance(accepted, AcceptConnection)
    assert accepted.extensions == []  # offered, not taken: events stay as sent


def test_the_server_pings_at_the_heartbeat_interval(raw: RawSocket) -> None:
    assert isinstance(raw.next(), AcceptConnection)
    for _ in range(2):  # answered, the next one comes too
        ping = raw.next()
        assert isinstance(ping, Ping), ping
        raw.send(ping.response())


def test_a_message_over_the_size_limit_closes_with_1009(raw: RawSocket) -> None:
    assert isinstance(raw.next(), AcceptConnection)
    raw.send(TextMessage(data="x" * 2000))
    event = raw.next()
    while isinstance(event, Ping):
        event = raw.next()
    assert isinstance(event, CloseConnection), event
    assert event.code == 1009
