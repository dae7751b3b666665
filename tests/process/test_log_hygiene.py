"""Canary: passwords, tokens, stream tickets, message bodies and webhook URLs never reach a
log line, the access log included. A real `mailslot serve` at debug level; every route of
the authorization matrix is called with canary credentials, in headers, bodies and query
strings. In JSON, every line of the output is one JSON object."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

import anyio
import httpx
import pytest

from mailslot.config import Settings
from mailslot.keys.scopes import Scope
from tests.authz.matrix import cases, fill, method_of, target
from tests.support.factories import PUBLIC_WEBHOOK_URL, unique_name
from tests.support.receivers import Receiver
from tests.support.servers import MailslotServer

ERASING = frozenset({"DELETE /users/{username}", "DELETE /server/users/{external_id}"})

pytestmark = [pytest.mark.process, pytest.mark.anyio, pytest.mark.timeout(120)]


@pytest.mark.parametrize("log_format", ["text", "json"])
async def test_no_secret_reaches_a_log_line(
    settings: Settings, tmp_path: Path, log_format: str
) -> None:
    await anyio.to_thread.run_sync(canary_run, settings, tmp_path, log_format)


def canary_run(settings: Settings, tmp_path: Path, log_format: str) -> None:
    secret = f"CANARY-{uuid.uuid4().hex}"
    password, body_text = f"{secret}-password", f"{secret}-body"
    env = {
        "MAILSLOT_LOG_LEVEL": "debug",
        "MAILSLOT_LOG_FORMAT": log_format,
        "MAILSLOT_WEBHOOK_ALLOW_PRIVATE": "true",  # the receiver below is on 127.0.0.1
    }
    if not settings.is_sqlite:
        env["MAILSLOT_DATABASE_URL"] = settings.resolved_database_url
    tokens: list[str] = []
    tickets: list[str] = []
    requests = 0
    with (
        Receiver() as receiver,
        MailslotServer(tmp_path / "data", env=env) as server,
        httpx.Client(base_url=server.url, timeout=10) as client,
    ):

        def sign_in(name: str) -> str:
            answer = client.post(f"/users/{name}/token", json={"password": password})
            assert answer.status_code == 200, answer.text
            tokens.append(answer.json()["access_token"])
            return tokens[-1]

        alice, bob = unique_name("alice"), unique_name("bob")
        for name in (alice, bob):
            created = client.post(
                "/users",
                json={"username": name, "email": f"{name}@example.com", "password": password},
            )
            assert created.status_code == 201
        bob_token = sign_in(bob)
        message = client.post(
            f"/users/{bob}/messages",
            json={"receiver": alice, "subject": "canary", "message": body_text},
            headers={"Authorization": f"Bearer {bob_token}"},
        )
        assert message.status_code == 201
        message_id, thread_id = message.json()["id"], message.json()["thread_id"]
        form = client.post("/token", data={"username": alice, "password": password})
        tokens.append(form.json()["access_token"])

        trashed = client.post(
            f"/users/{bob}/messages",
            json={"receiver": alice, "subject": "trash", "message": body_text},
            headers={"Authorization": f"Bearer {bob_token}"},
        ).json()["id"]
        alice_token = sign_in(alice)
        gone = client.delete(
            f"/users/{alice}/messages/{trashed}",
            headers={"Authorization": f"Bearer {alice_token}"},
        )
        assert gone.status_code == 204
        # The server API's routes run with a key holding every scope: a key is a secret too.
        server_key = server.create_key(*(scope.value for scope in Scope))
        tokens.append(server_key)
        host_ids = {}
        for name in ("target", "other"):
            host_ids[name] = unique_name("cus")
            put = client.put(
                f"/server/users/{host_ids[name]}",
                json={"display_name": name},
                headers={"Authorization": f"Bearer {server_key}"},
            )
            assert put.status_code == 201, put.text
        minted = client.post(
            f"/server/users/{host_ids['target']}/tokens",
            json={"label": "canary"},
            headers={"Authorization": f"Bearer {server_key}"},
        )
        assert minted.status_code == 201, minted.text
        tokens.append(minted.json()["access_token"])
        # A webhook endpoint's signing secret is a secret too (shown at creation, rotation).
        webhook = client.post(
            "/server/webhooks",
            json={"url": PUBLIC_WEBHOOK_URL, "event_types": ["*"], "enabled": False},
            headers={"Authorization": f"Bearer {server_key}"},
        )
        assert webhook.status_code == 201, webhook.text
        tokens.append(webhook.json()["secret"])
        # A receiver's URL may hold its own secret (a path or a query token): every message
        # below is delivered to one that does.
        hook = client.post(
            "/server/webhooks",
            json={
                "url": receiver.url(f"/{secret}-hook?token={secret}-query"),
                "event_types": ["message.created"],
            },
            headers={"Authorization": f"Bearer {server_key}"},
        )
        assert hook.status_code == 201, hook.text
        tokens.append(hook.json()["secret"])
        for key, _, row in cases():
            method = method_of(key)
            # An erasure ends alice's account, which every later request signs in as; the
            # password in its body is the canary the sign-ins and PATCH /users carry.
            if method == "WS" or key in ERASING:
                continue
            for credentials_in_query in (False, True):
                token = sign_in(alice)
                values = {
                    "username": alice,
                    "password": password,
                    "message_id": trashed if row.get("message") == "trashed" else message_id,
                    "thread_id": thread_id,
                    "other": bob,
                    "fresh": unique_name("fresh"),
                    "actor": alice,
                    "actor_password": password,
                    "external_id": host_ids["target"],
                    "other_external_id": host_ids["other"],
                    "token_id": minted.json()["token_id"],
                    "webhook_id": webhook.json()["id"],
                    "event_id": "msg_" + "0" * 32,  # none: a 404 is enough here
                    "job_id": "job_" + "0" * 24,
                    "export_id": "exp_" + "0" * 24,
                    "report_id": 2**62,
                }
                if row.get("login_first"):
                    client.post(
                        f"{server.url}//login",
                        params={"username": alice, "password": password},
                    )
                url = f"{server.url}{target(key, row, values)}"
                if credentials_in_query:
                    extra = {"password": password, "access_token": token, "token": token}
                    url += ("&" if "?" in url else "?") + urlencode(extra)
                bearer = server_key if key.split(" ", 1)[1].startswith("/server/") else token
                kwargs: dict[str, object] = {"headers": {"Authorization": f"Bearer {bearer}"}}
                if "json" in row:
                    kwargs["json"] = fill(row["json"], values)
                elif "form" in row:
                    kwargs["data"] = fill(row["form"], values)
                with client.stream(method, url, **kwargs) as answer:  # type: ignore[arg-type]
                    assert answer.status_code < 500, key
                    if not answer.headers.get("content-type", "").startswith(
                        "text/event-stream"
                    ):  # a live stream never ends: its head is enough
                        answer.read()
                        if key.endswith("/stream-tickets") and answer.status_code == 201:
                            tickets.append(answer.json()["ticket"])
                        if key.endswith("/tokens") and answer.status_code == 201:
                            tokens.append(answer.json()["access_token"])  # minted
                        if key.endswith("/contexts") and answer.status_code == 201:
                            tokens.append(answer.json()["context_token"])
                        if key.startswith("POST /server/webhooks") and answer.status_code < 300:
                            tokens.append(answer.json()["secret"])  # created or rotated
                requests += 1

        # A stream ticket is a credential too: used in a query string, as EventSource does.
        assert tickets
        with client.stream("GET", f"/users/{alice}/events", params={"ticket": tickets[0]}) as sse:
            assert sse.status_code == 200
        requests += 1

        # Error paths that carry the secrets back at the server.
        token = sign_in(alice)
        for answer in (
            client.post(f"/users/{alice}/token", json={"password": password + "x"}),
            client.post("/token", data={"username": alice, "password": password + "x"}),
            client.post(
                "/users", json={"username": "bad name", "email": "nope", "password": password}
            ),
            client.post(
                f"/users/{alice}/messages",
                content=f'{{"password": "{password}", "token": "{token}"'.encode(),
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            ),
            client.post(
                f"/users/{alice}/messages",
                json={"receiver": bob, "subject": "s", "message": body_text * 5000},
                headers={"Authorization": f"Bearer {token}"},
            ),
            client.get(f"/users/{alice}/messages", headers={"Authorization": f"Bearer {secret}"}),
            client.get(f"/users/{alice}/messages", headers={"Authorization": password}),
        ):
            assert answer.status_code in (400, 401, 413, 422, 429), answer.text
            requests += 1
        deadline = time.monotonic() + 30  # generous: a deadline, not a measurement
        while not receiver.answered() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert receiver.answered(), "no webhook was delivered"
    log = server.log()
    access_lines = [line for line in log.splitlines() if "mailslot.access" in line]
    assert len(access_lines) >= requests  # every request was logged...
    if log_format == "json":
        lines = [json.loads(line) for line in log.splitlines()]  # every line
        access = [line for line in lines if line["logger"] == "mailslot.access"]
        assert len(access) == len(access_lines)
        assert all(line["request_id"] and line["route"] != "" for line in access)
        routes = {line["route"] for line in access}
        assert not [route for route in routes if route and (alice in route or bob in route)]
        assert "/users/{username}/messages" in routes
        assert any(line["logger"] == "uvicorn.error" for line in lines)  # uvicorn's own too
    assert secret not in log  # ...and no secret with it
    leaked = [token for token in tokens + tickets if token in log]
    assert not leaked, f"{len(leaked)} of {len(tokens) + len(tickets)} tokens or tickets in the log"
