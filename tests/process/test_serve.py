"""`mailslot serve` as a user runs it: a real process, on a free port, keeping its data."""

from __future__ import annotations

import httpx
import pytest

from tests.support.servers import MailslotServer

pytestmark = [pytest.mark.process, pytest.mark.timeout(90)]


def test_serve_migrates_sqlite_and_keeps_data_across_restarts(tmp_path) -> None:
    data = tmp_path / "data"
    server = MailslotServer(data, env={"MAILSLOT_SECRET_KEY": ""})
    server.env.pop("MAILSLOT_SECRET_KEY")
    with server:
        base = server.url
        for name in ("user1", "user2"):
            created = httpx.post(
                f"{base}/users",
                json={"username": name, "email": f"{name}@example.com", "password": "password-1"},
            )
            assert created.status_code == 201
        token = httpx.post(f"{base}/users/user1/token", json={"password": "password-1"}).json()[
            "access_token"
        ]
        sent = httpx.post(
            f"{base}/users/user1/messages",
            json={"receiver": "user2", "subject": "kept", "message": "across restarts"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert sent.status_code == 201
    assert (data / "mailslot.db").exists()
    assert (data / "secret_key").stat().st_mode & 0o077 == 0

    with server:
        token = httpx.post(f"{base}/users/user2/token", json={"password": "password-1"}).json()[
            "access_token"
        ]
        inbox = httpx.get(
            f"{base}/users/user2/messages", headers={"Authorization": f"Bearer {token}"}
        )
        assert [m["subject"] for m in inbox.json()["messages"]] == ["kept"]
        # Query strings never reach the access log.
        httpx.get(f"{base}/healthz?password=CANARY-query-secret")
    output = server.log()
    assert "GET /healthz 200" in output
    assert "CANARY-query-secret" not in output
    assert "password-1" not in output
    assert token not in output


def test_serve_with_two_workers_answers(tmp_path) -> None:
    with MailslotServer(tmp_path / "data", args=("--workers", "2")) as server:
        seen = {httpx.get(f"{server.url}/healthz").status_code for _ in range(20)}
    assert seen == {200}
    assert server.log().count("Started server process") >= 2
