"""Embedding mailslot: what a host application's code does, with the generated Python
client (clients/python; `pip install ./clients/python` where the package is not installed).

    python docs/examples/embedding.py http://127.0.0.1:8000
    MAILSLOT_SERVER_KEY=msk_... python docs/examples/embedding.py http://127.0.0.1:8000

With a server key in MAILSLOT_SERVER_KEY it also runs the host backend's part (the server
API, docs/embedding.md): provisioning, minting, a context link, the platform as sender,
and the audit.

Each step is a function that makes its calls and prints one line of what happened; `main`
runs them in order. tests/process/test_walkthroughs.py runs this file against a real
server and compares what it prints with the output docs/clients.md shows.
"""

from __future__ import annotations

import os
import secrets
import sys
from typing import TypeVar

from mailslot_client import AuthenticatedClient, Client
from mailslot_client.api.accounts import post_token, post_user
from mailslot_client.api.messages import get_unread, list_messages, patch_message, post_message
from mailslot_client.api.server import (
    list_server_audit,
    list_server_user_messages,
    post_server_context,
    post_server_message,
    post_server_user_token,
    put_server_user,
)
from mailslot_client.models import (
    ContextCreate,
    ContextTokenCreate,
    ExternalUserPut,
    MessageCreate,
    MessageRead,
    MessageUpdate,
    Problem,
    ServerMessageCreate,
    TokenCreate,
    TokenMint,
    UserCreate,
)
from mailslot_client.models.token_mint_scopes_item import TokenMintScopesItem

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


# The server API: what the host's backend does with its server key (never in a browser).


def provision(host: AuthenticatedClient, external_id: str, display_name: str) -> str:
    """Create (or update) the user the host knows as `external_id`: no password needed."""
    body = ExternalUserPut(display_name=display_name)
    user = expect(put_server_user.sync(external_id, client=host, body=body))
    print(f"{external_id} is {user.username} ({user.display_name}): {user.outcome}")
    return user.username


def mint(
    host: AuthenticatedClient, base_url: str, external_id: str, scopes: list[TokenMintScopesItem]
) -> AuthenticatedClient:
    """A token for a user signed in to the host's site, for the host's front end."""
    body = TokenMint(ttl_seconds=3600, scopes=scopes, label="web")
    token = expect(post_server_user_token.sync(external_id, client=host, body=body))
    print(f"minted a {'+'.join(token.scopes)} token for {external_id}")
    return AuthenticatedClient(base_url=base_url, token=token.access_token)


def context_link(
    host: AuthenticatedClient, buyer: AuthenticatedClient, ids: tuple[str, str], name: str
) -> None:
    """ "Message the seller about order A-123": the host signs the ref and the people; the
    buyer's browser sends with the token and can change neither."""
    body = ContextTokenCreate(ref="order:A-123", participants=list(ids), expires_in=600)
    token = expect(post_server_context.sync(client=host, body=body)).context_token
    sent = expect(
        post_message.sync(
            name,
            client=buyer,
            body=MessageCreate(subject="Order A-123", message="Shipped yet?", context_token=token),
        )
    )
    about = sent.context.ref if sent.context else "nothing"
    print(f"{name} wrote to {', '.join(sent.receivers)} about {about}")


def notify(host: AuthenticatedClient, ids: tuple[str, str]) -> None:
    """The platform itself sends, to users by the host's ids; one of them does not exist."""
    body = ServerMessageCreate(
        from_="system",
        to=[*ids, "cus_nobody"],
        subject="Order A-123 shipped",
        message="It is on its way.",
        context=ContextCreate(ref="order:A-123"),
    )
    sent = expect(post_server_message.sync(client=host, body=body, idempotency_key="A-123"))
    outcomes = ", ".join(f"{d.to} {d.status}" for d in sent.deliveries)
    print(f"the platform sent message {sent.message.id}: {outcomes}")


def widget(seller: AuthenticatedClient, name: str) -> None:
    """A read-only token lists the inbox (a notification badge) but cannot send."""
    page = expect(list_messages.sync(name, client=seller, box="inbox", context="order:A-123"))
    senders = ", ".join(m.sender_display_name or m.sender for m in page.messages)
    body = MessageCreate(subject="hi", message="hi", receivers=[name])
    answer = post_message.sync(name, client=seller, body=body)
    code = answer.code if isinstance(answer, Problem) else "sent"
    print(
        f"{name}'s widget sees {len(page.messages)} about order:A-123 ({senders}); sending: {code}"
    )


def support_reads(host: AuthenticatedClient, external_id: str) -> None:
    """Support reads a disputed mailbox; the read leaves a record first."""
    page = expect(list_server_user_messages.sync(external_id, client=host, context="order:A-123"))
    trail = expect(list_server_audit.sync(client=host, user=external_id)).records
    print(
        f"support read {len(page.messages)} of {external_id}'s messages; audit: {trail[0].operation}"
    )


def server_api(base_url: str, key: str, run: str) -> None:
    with AuthenticatedClient(base_url=base_url, token=key) as host:
        ids = (f"cus_buyer_{run}", f"cus_seller_{run}")
        buyer_name = provision(host, ids[0], "Ann Buyer")
        seller_name = provision(host, ids[1], "Sam Seller")
        provision(host, ids[1], "Sam Seller")  # a second time: unchanged
        buyer = mint(host, base_url, ids[0], ["read", "write"])
        seller = mint(host, base_url, ids[1], ["read"])
        context_link(host, buyer, ids, buyer_name)
        notify(host, ids)
        widget(seller, seller_name)
        support_reads(host, ids[1])


def main(base_url: str) -> None:
    # Names of this run's own, so the walk-through runs again against the same server.
    run = secrets.token_hex(3)
    with Client(base_url=base_url, raise_on_unexpected_status=True) as anyone:
        user_api(anyone, base_url, run)
    key = os.environ.get("MAILSLOT_SERVER_KEY")
    if key:
        server_api(base_url, key, run)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
