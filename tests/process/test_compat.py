"""Seed A against a real `mailslot serve`: the double slash survives uvicorn, and
query-string passwords never reach its output. (The seed A walk-through of
docs/older-apis.md runs in test_walkthroughs.py.)"""

from __future__ import annotations

import json
import socket
import subprocess
import uuid

import pytest

from tests.support.servers import MailslotServer

pytestmark = [pytest.mark.process, pytest.mark.timeout(120)]


def curl(server: MailslotServer, method: str, target: str, body: object = None) -> tuple[int, str]:
    """`curl --path-as-is`: the request line carries `target` exactly as written."""
    command = ["curl", "-s", "--path-as-is", "-X", method, "-w", "\n%{http_code}"]
    if body is not None:
        command += ["-H", "Content-Type: application/json", "--data-binary", "@-"]
    result = subprocess.run(
        [*command, server.url + target],
        input=body if isinstance(body, str) else json.dumps(body) if body is not None else None,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    text, _, status = result.stdout.rpartition("\n")
    return int(status), text


def raw_request(server: MailslotServer, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_no_seed_a_request_writes_its_password_to_the_server_output(tmp_path) -> None:
    canary = f"CANARY-{uuid.uuid4().hex}"
    wrong = f"{canary}-wrong"
    server = MailslotServer(tmp_path / "data", env={"MAILSLOT_LOG_LEVEL": "debug"})
    with server:
        a, b = f"a{uuid.uuid4().hex[:8]}", f"b{uuid.uuid4().hex[:8]}"
        ca, cb = f"username={a}&password={canary}", f"username={b}&password={canary}"
        message = {
            "message": "body",
            "receiver": b,
            "sender": a,
            "subject": "subject",
            "timestamp": "Fri, 09 Oct 2020 23:01:26 GMT",
        }
        expected = [
            # every request of the README, and each failure it can meet
            ("POST", f"//message?{ca}&request=write", message, 401),  # no such user yet
            ("POST", f"//signup?{ca}", None, 201),
            ("POST", f"//signup?{cb}", None, 201),
            ("POST", f"//signup?{ca}", None, 409),
            ("POST", f"//signup?username={a}&password={canary[:5]}", None, 422),
            ("POST", f"//signup?username=bad%20name&password={canary}", None, 422),
            ("GET", f"//messages?{ca}&request=get_all", None, 401),  # no session
            ("POST", f"//login?username={a}&password={wrong}", None, 401),
            ("POST", f"//login?username={a}&password={canary * 40}", None, 422),
            ("POST", f"//login?{ca}", None, 200),
            ("POST", f"//login?{cb}", None, 200),
            ("POST", f"//message?{ca}&request=write", message, 201),
            ("POST", f"//message?{ca}&request=write", {**message, "timestamp": "x"}, 422),
            ("POST", f"//message?{ca}&request=write", "{not json", 400),
            ("POST", f"//message?{ca}&request=write", {**message, "sender": b}, 403),
            ("POST", f"//message?{ca}&request=write", {**message, "receiver": "nobody0"}, 422),
            ("POST", f"//message?{ca}&request=unknown", message, 400),
            ("POST", f"//message?username={a}&password={wrong}&request=write", message, 401),
            ("GET", f"//messages?{cb}&request=get_all_unread", None, 200),
            ("GET", f"//messages?{cb}&request=get_all", None, 200),
            ("GET", f"//messages?{cb}", None, 400),
            ("GET", f"//message?{cb}&request=read", None, 200),
            ("GET", f"//message?{cb}&request=read", None, 404),
            ("PUT", f"//message?{cb}&request=read", None, 405),
            ("POST", f"//message?{cb}&request=delete", {**message, "sender": b}, 404),
            ("POST", f"//message?{ca}&request=delete", message, 200),
            ("POST", f"//message?{ca}&request=delete", message, 404),
            ("POST", f"//logout?{ca}", None, 200),
            ("POST", f"//logout?username={a}&password={wrong}", None, 401),
            ("GET", f"//messages?{ca}&request=get_all", None, 401),
            ("POST", f"/login?{ca}", None, 200),  # the single-slash alias
        ]
        for method, target, body, status in expected:
            answer = curl(server, method, target, body)
            assert answer[0] == status, (method, target.replace(canary, "<canary>"), answer)
            assert canary not in answer[1]
        # A request line uvicorn cannot parse, and one with the canary in a header.
        raw_request(server, f"POST //login?{ca} x HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        raw_request(
            server,
            f"GET //messages?{ca}&request=get_all HTTP/1.1\r\nHost: x\r\n"
            f"Referer: http://x//login?{ca}\r\nConnection: close\r\n\r\n".encode(),
        )
    output = server.log()
    assert output.count(canary) == 0
    # The access log saw every address as written, double slash included.
    for line in (
        "POST //signup 201",
        "POST //login 200",
        "POST //message 201",
        "GET //message 200",
    ):
        assert line in output, line
    assert "GET //messages 200" in output
