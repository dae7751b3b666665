"""Embedding mailslot: what a host application's code does, with the generated Python
client (clients/python; `pip install ./clients/python` where the package is not installed).

    python docs/examples/embedding.py http://127.0.0.1:8000

Each step is a function that makes its calls and prints one line of what happened; `main`
runs them in order. tests/process/test_walkthroughs.py runs this file against a real
server and compares what it prints with the output docs/clients.md shows.
"""

from __future__ import annotations

import secrets
import sys
from typing import TypeVar

from mailslot_client import AuthenticatedClient, Client
from mailslot_client.api.accounts import post_token, post_user
from mailslot_client.api.messages import get_unread, list_messages, patch_message, post_message
from mailslot_client.models import (
    MessageCreate,
    MessageRead,
    MessageUpdate,
    Problem,
    TokenCreate,
    UserCreate,
)

T = TypeVar("T")


class Refused(Exception):
    """The server did not answer as the walk-through expects."""


def expect(answer: T | Problem | None) -> T:
    """The answer of a call that should succeed. Every operation returns its schema, a
    `Problem` (RFC 9457: switch on `code`) or None for a status the document does not
    list."""
    if isinstance(answer, Problem):
        raise Refused(f"{answer.status} {answer.code}: {answer.detail}")
    if answer is None:
        raise Refused("an answer the OpenAPI document does not describe")
    return answer


# The user API: what a person's own client (the web client, an app) does with a token.


def sign_up(anyone: Client, base_url: str, name: str) -> AuthenticatedClient:
    """A user registers and signs in; their client then sends the token on every call."""
    password = secrets.token_urlsafe(16)
    body = UserCreate(username=name, email=f"{name}@example.com", password=password)
    user = expect(post_user.sync(client=anyone, body=body))
    token = expect(post_token.sync(user.username, client=anyone, body=TokenCreate(password)))
    print(f"{user.username} signed up and signed in")
    return AuthenticatedClient(base_url=base_url, token=token.access_token)


def send(sender: AuthenticatedClient, frm: str, to: str) -> MessageRead:
    """A send with an Idempotency-Key: a retry after a lost answer does not send twice."""
    body = MessageCreate(subject="Lunch?", message="Noon at the usual place?", receivers=[to])
    key = secrets.token_hex(8)
    sent = expect(post_message.sync(frm, client=sender, body=body, idempotency_key=key))
    again = expect(post_message.sync(frm, client=sender, body=body, idempotency_key=key))
    print(f"{frm} sent message {sent.id} to {to}; the retry answered message {again.id}")
    return sent


def read_inbox(reader: AuthenticatedClient, name: str) -> list[MessageRead]:
    unread = expect(get_unread.sync(name, client=reader)).unread
    page = expect(list_messages.sync(name, client=reader, box="inbox", per_page=20))
    print(f"{name} has {unread} unread; inbox: {describe(page.messages)}")
    return page.messages


def mark_read(reader: AuthenticatedClient, name: str, message: MessageRead) -> None:
    body = MessageUpdate(read=True)
    marked = expect(patch_message.sync(name, message.id, client=reader, body=body))
    unread = expect(get_unread.sync(name, client=reader)).unread
    print(f"{name} read message {marked.id}; {unread} unread")


def refused(other: AuthenticatedClient, name: str, owner: str) -> None:
    """A token opens its own mailbox only: the answer is a problem, not an exception."""
    answer = list_messages.sync(owner, client=other)
    if not isinstance(answer, Problem):
        raise Refused(f"{name} could list {owner}'s inbox")
    print(f"{name} listing {owner}'s inbox: {answer.status} {answer.code}")


def describe(messages: list[MessageRead]) -> str:
    return ", ".join(
        f'#{m.id} "{m.subject}" from {m.sender}{"" if m.read else " (unread)"}' for m in messages
    )


def user_api(anyone: Client, base_url: str, run: str) -> None:
    alice_name, bob_name = f"alice-{run}", f"bob-{run}"
    alice = sign_up(anyone, base_url, alice_name)
    bob = sign_up(anyone, base_url, bob_name)
    send(alice, alice_name, bob_name)
    (lunch,) = read_inbox(bob, bob_name)
    mark_read(bob, bob_name, lunch)
    read_inbox(bob, bob_name)
    refused(bob, bob_name, alice_name)


def main(base_url: str) -> None:
    # Names of this run's own, so the walk-through runs again against the same server.
    run = secrets.token_hex(3)
    with Client(base_url=base_url, raise_on_unexpected_status=True) as anyone:
        user_api(anyone, base_url, run)
    # The server API's steps (issue 18: a key, provisioning, minting, sending as the
    # platform) join as a group of their own, with an AuthenticatedClient holding the key.


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
