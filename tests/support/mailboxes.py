"""A deployment with something in every table that matters, made over HTTP against a real
server, and what its API shows: for tests that copy a deployment (backup, restore, port)
and compare the copy with the original."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from tests.support.factories import PASSWORD, PUBLIC_WEBHOOK_URL, unique_name
from tests.support.servers import MailslotServer


@dataclass
class Person:
    username: str
    headers: dict[str, str]


@dataclass
class Population:
    people: list[Person]
    key: str  # a server key (users:write, webhooks:manage, mailbox:read)
    external_id: str  # a provisioned user's id at the host


@contextmanager
def serving(server: MailslotServer) -> Iterator[MailslotServer]:
    """The server started, then stopped. These tests start several servers and commands
    each, on machines shared with other suites: a server gets longer to be ready than
    MailslotServer's default (once past 30 s on a machine at load 15)."""
    server.start(timeout=120)
    try:
        yield server
    finally:
        server.stop()


def register(client: httpx.Client) -> Person:
    name = unique_name()
    created = client.post(
        "/users", json={"username": name, "email": f"{name}@example.com", "password": PASSWORD}
    )
    assert created.status_code == 201, created.text
    token = client.post(f"/users/{name}/token", json={"password": PASSWORD})
    assert token.status_code == 200, token.text
    return Person(name, {"Authorization": f"Bearer {token.json()['access_token']}"})


def send(client: httpx.Client, sender: Person, *to: Person, **extra: Any) -> dict[str, Any]:
    sent = client.post(
        f"/users/{sender.username}/messages",
        json={"receivers": [p.username for p in to], "subject": "Hi", "message": "Hello"} | extra,
        headers=sender.headers,
    )
    assert sent.status_code == 201, sent.text
    result: dict[str, Any] = sent.json()
    return result


def populate(server: MailslotServer) -> Population:
    """Users (registered and provisioned, one with custom data), messages to one and to
    several, a reply in a thread, one read, one in the trash, one deleted by its sender,
    a server key, a webhook endpoint, an audited mailbox read, change log entries."""
    key = server.create_key("users:write", "webhooks:manage", "mailbox:read")
    host = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=server.url, timeout=10) as client:
        alice, bob, carol = (register(client) for _ in range(3))
        first = send(client, alice, bob, subject="Tea?", message="At five, with café au lait")
        send(client, bob, alice, subject="Re: Tea?", message="Yes", reply_to=first["id"])
        group = send(client, alice, bob, carol, subject="Plans", message="Über alles")
        gone = send(client, carol, alice, subject="Oops", message="wrong person")
        read = client.patch(
            f"/users/{bob.username}/messages/{group['id']}",
            json={"read": True},
            headers=bob.headers,
        )
        assert read.status_code == 200, read.text
        trashed = client.delete(
            f"/users/{carol.username}/messages/{group['id']}", headers=carol.headers
        )
        assert trashed.status_code == 204, trashed.text
        unsent = client.delete(
            f"/users/{carol.username}/messages/{gone['id']}", headers=carol.headers
        )
        assert unsent.status_code == 204, unsent.text
        external_id = unique_name("host-")
        provisioned = client.put(
            f"/server/users/{external_id}",
            json={"display_name": "Dora", "custom": {"plan": "pro", "seats": [1, 2]}},
            headers=host,
        )
        assert provisioned.status_code in (200, 201), provisioned.text
        hook = client.post(
            "/server/webhooks",
            json={"url": PUBLIC_WEBHOOK_URL, "event_types": ["message.created"], "enabled": False},
            headers=host,
        )
        assert hook.status_code == 201, hook.text
        audited = client.get(f"/server/users/{external_id}/messages", headers=host)
        assert audited.status_code == 200, audited.text
    return Population([alice, bob, carol], key, external_id)


def snapshot(base: str, population: Population) -> dict[str, Any]:
    """What the API shows of the population: every mailbox, unread counts, threads, the
    provisioned user, the webhook endpoints. With the same tokens: they are data too."""
    shown: dict[str, Any] = {}
    host = {"Authorization": f"Bearer {population.key}"}
    with httpx.Client(base_url=base, timeout=10) as client:
        for person in population.people:
            name = person.username
            for path in (
                f"/users/{name}",
                f"/users/{name}/messages?box=inbox",
                f"/users/{name}/messages?box=sent",
                f"/users/{name}/messages?box=trash",
                f"/users/{name}/unread",
                f"/users/{name}/changes?since=0",
            ):
                answer = client.get(path, headers=person.headers)
                assert answer.status_code == 200, (path, answer.text)
                shown[path] = answer.json()
        for path in (f"/server/users/{population.external_id}", "/server/webhooks"):
            answer = client.get(path, headers=host)
            assert answer.status_code == 200, (path, answer.text)
            shown[path] = answer.json()
    return shown


def mailslot(
    *args: str, env: dict[str, str], stdin: int | None = subprocess.DEVNULL
) -> subprocess.CompletedProcess[str]:
    """`python -m mailslot ...` as an operator runs it, with only the MAILSLOT_ variables
    given (none inherited)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("MAILSLOT_")}
    return subprocess.run(
        [sys.executable, "-m", "mailslot", *args],
        env=base | env,
        stdin=stdin,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
