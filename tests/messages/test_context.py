"""Conversation context: sending with one, replies, the `context` filter, signed context
tokens (minted here at the function level; the minting route is the server API's), the
idempotency fingerprint, and who sees a context."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any

import anyio
import pytest
from fastapi import FastAPI

from mailslot.accounts import service as accounts
from mailslot.config import Settings
from mailslot.db.base import utcnow
from mailslot.errors import InvalidContext
from mailslot.messages import service
from mailslot.messages.context import (
    MAX_DATA_BYTES,
    Context,
    context_key,
    mint_context,
    verify_context,
)
from mailslot.state import app_state
from tests.realtime.conftest import asgi_get
from tests.support.factories import (
    TestUser,
    ids,
    inbox,
    listing,
    make_user,
    post_message,
    send,
)
from tests.support.sse import frames
from tests.support.statements import statements

pytestmark = pytest.mark.anyio

ORDER = {"ref": "order:A-123", "data": {"order": "A-123", "total": 42.5}}
KEY = context_key("a test secret")
NOW = utcnow()


def key_of(settings: Settings) -> bytes:
    return context_key(settings.resolved_secret_key())


async def user_id(client, user: TestUser) -> int:
    response = await client.get(f"/users/{user.username}", headers=user.headers)
    assert response.status_code == 200, response.text
    return int(response.json()["id"])


async def send_with(client, sender: TestUser, body: dict[str, Any]) -> dict[str, Any]:
    response = await post_message(client, sender, body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def token_for(
    client, settings: Settings, *users: TestUser, ref: str = "order:A-123", **kwargs: Any
) -> str:
    participants = [await user_id(client, user) for user in users]
    kwargs.setdefault("expires_at", utcnow() + timedelta(hours=1))
    return mint_context(key=key_of(settings), ref=ref, participants=participants, **kwargs)


def assert_refused(response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    return body


# Sending and reading


async def test_a_message_returns_its_context_in_every_view(client, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    sent = await send_with(client, alice, {"receiver": bob.username, "context": ORDER})
    expected = {**ORDER, "signed": False}
    assert sent["context"] == expected
    assert (await inbox(client, bob))[0]["context"] == expected
    assert (await inbox(client, alice, box="sent"))[0]["context"] == expected
    got = await client.get(f"/users/{bob.username}/messages/{sent['id']}", headers=bob.headers)
    assert got.json()["context"] == expected
    thread = await client.get(
        f"/users/{bob.username}/threads/{sent['thread_id']}", headers=bob.headers
    )
    assert thread.json()["context"] == expected
    changes = await client.get(f"/users/{bob.username}/changes", headers=bob.headers)
    created, read = changes.json()["changes"]  # the get marked it read
    assert (created["type"], read["type"]) == ("message.created", "message.updated")
    assert created["data"]["context"] == expected


async def test_a_live_event_carries_the_context(client, app: FastAPI, settings, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    token = await token_for(client, settings, alice, bob, data={"n": 1})
    async with asgi_get(app, f"/users/{bob.username}/events", headers=bob.headers) as stream:
        assert stream.status == 200
        received = frames(stream.lines())
        with anyio.fail_after(2):
            await anext(received)  # the opening frame
            sent = await send_with(client, alice, {"context_token": token})
            frame = await anext(received)
            while not frame.data:  # heartbeats may come first
                frame = await anext(received)
    assert frame.envelope["data"]["id"] == sent["id"]
    assert frame.envelope["data"]["context"] == {
        "ref": "order:A-123",
        "data": {"n": 1},
        "signed": True,
    }


async def test_a_message_without_context_shows_null(client, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    sent = await send(client, alice, bob)
    assert sent["context"] is None
    assert (await inbox(client, bob))[0]["context"] is None
    thread = await client.get(
        f"/users/{bob.username}/threads/{sent['thread_id']}", headers=bob.headers
    )
    assert thread.json()["context"] is None


async def test_a_context_may_have_a_ref_alone(client, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    sent = await send_with(
        client, alice, {"receiver": bob.username, "context": {"ref": "ticket:9"}}
    )
    assert sent["context"] == {"ref": "ticket:9", "data": None, "signed": False}


async def test_data_of_exactly_the_limit_is_accepted(client, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    # {"k":"..."} is 8 bytes around the value.
    data = {"k": "é" * ((MAX_DATA_BYTES - 8) // 2)}
    assert len(json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()) == 4096
    sent = await send_with(
        client, alice, {"receiver": bob.username, "context": {"ref": "r", "data": data}}
    )
    assert (await inbox(client, bob))[0]["context"]["data"] == data
    assert sent["context"]["data"] == data


async def test_a_send_with_context_costs_the_same_statements(client, app: FastAPI, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    async with app_state(app).sessions() as db:
        sender = await accounts.get_user(db, alice.username)
        counts = []
        for context in (None, Context("order:1", {"a": 1})):
            with statements(app) as counted:
                await service.send_message(
                    db,
                    sender=sender,
                    receivers=[bob.username],
                    subject="s",
                    text="t",
                    context=context,
                )
            counts.append(len(counted))
        await db.rollback()
    assert counts[0] == counts[1] == {"postgres": 1, "sqlite": 5}[dialect]


# Replies


async def test_a_reply_inherits_its_threads_context(client, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    first = await send_with(client, alice, {"receiver": bob.username, "context": ORDER})
    reply = await send_with(client, bob, {"reply_to": first["id"]})
    assert reply["context"] == {**ORDER, "signed": False}
    assert reply["thread_id"] == first["thread_id"]
    again = await send_with(
        client, alice, {"reply_to": reply["id"], "context": {"ref": ORDER["ref"]}}
    )
    assert again["context"] == {**ORDER, "signed": False}


@pytest.mark.parametrize(
    "context",
    [
        {"ref": "order:B-9"},
        {"ref": "order:A-123", "data": {"order": "B-9"}},
    ],
)
async def test_a_reply_naming_another_context_is_refused(client, dialect, context) -> None:
    alice, bob = await make_user(client), await make_user(client)
    first = await send_with(client, alice, {"receiver": bob.username, "context": ORDER})
    response = await post_message(client, bob, {"reply_to": first["id"], "context": context})
    body = assert_refused(response, 422, "context_mismatch")
    assert body["errors"] == [
        {"pointer": "/body/context", "detail": "not the context of the thread"}
    ]
    assert ids(await inbox(client, alice)) == []


async def test_a_reply_cannot_give_context_to_a_thread_without(client, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    first = await send(client, alice, bob)
    response = await post_message(client, bob, {"reply_to": first["id"], "context": ORDER})
    assert_refused(response, 422, "context_mismatch")


# Listing by context


async def test_lists_filter_by_context_in_every_box(client, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    a1 = await send_with(client, alice, {"receiver": bob.username, "context": {"ref": "order:1"}})
    await send_with(client, alice, {"receiver": bob.username, "context": {"ref": "order:2"}})
    await send(client, alice, bob)
    a3 = await send_with(client, alice, {"receiver": bob.username, "context": {"ref": "order:1"}})
    assert ids(await inbox(client, bob, context="order:1")) == [a3["id"], a1["id"]]
    assert ids(await inbox(client, alice, box="sent", context="order:1")) == [a3["id"], a1["id"]]
    assert ids(await inbox(client, bob, context="order:1", unread="true")) == [a3["id"], a1["id"]]
    assert ids(await inbox(client, bob, context="order:3")) == []
    deleted = await client.delete(f"/users/{bob.username}/messages/{a1['id']}", headers=bob.headers)
    assert deleted.status_code == 204
    assert ids(await inbox(client, bob, context="order:1")) == [a3["id"]]
    assert ids(await inbox(client, bob, box="trash", context="order:1")) == [a1["id"]]
    assert ids(await inbox(client, bob, box="trash", context="order:2")) == []


async def test_a_context_filter_pages_with_a_cursor(client, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    sent = [
        await send_with(client, alice, {"receiver": bob.username, "context": {"ref": "c"}})
        for _ in range(3)
    ]
    await send(client, alice, bob)
    first = await listing(client, bob, context="c", per_page=2)
    assert ids(first["messages"]) == [sent[2]["id"], sent[1]["id"]]
    rest = await listing(client, bob, context="c", per_page=2, cursor=first["next_cursor"])
    assert ids(rest["messages"]) == [sent[0]["id"]]
    assert rest["next_cursor"] is None


async def test_search_combines_with_the_context(client, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    hit = await send_with(
        client,
        alice,
        {"receiver": bob.username, "subject": "refund please", "context": {"ref": "order:1"}},
    )
    await send_with(
        client,
        alice,
        {"receiver": bob.username, "subject": "refund please", "context": {"ref": "order:2"}},
    )
    await send_with(
        client, alice, {"receiver": bob.username, "subject": "hello", "context": {"ref": "order:1"}}
    )
    assert ids(await inbox(client, bob, q="refund", context="order:1")) == [hit["id"]]
    assert ids(await inbox(client, alice, box="sent", q="refund", context="order:1")) == [hit["id"]]


@pytest.mark.parametrize("ref", ["", "x" * 201, "a\nb", " lead", "trail "])
async def test_a_bad_context_filter_is_refused(client, dialect, ref) -> None:
    alice = await make_user(client)
    response = await client.get(
        f"/users/{alice.username}/messages", params={"context": ref}, headers=alice.headers
    )
    body = assert_refused(response, 422, "validation_failed")
    assert body["errors"][0]["pointer"] == "/query/context"


# Bad input


@pytest.mark.parametrize(
    ("context", "pointer"),
    [
        ({"ref": ""}, "/body/context/ref"),
        ({"ref": "x" * 201}, "/body/context/ref"),
        ({"ref": "order\x07A"}, "/body/context/ref"),
        ({"ref": "order\u0085A"}, "/body/context/ref"),
        ({"ref": " order"}, "/body/context/ref"),
        ({"ref": "order\ud800"}, "/body/context/ref"),
        ({"ref": "r", "data": {"k": "\udfff"}}, "/body/context/data"),
        ({"ref": 12}, "/body/context/ref"),
        ({"data": {}}, "/body/context/ref"),
        ({"ref": "r", "data": [1]}, "/body/context/data"),
        ({"ref": "r", "data": "text"}, "/body/context/data"),
        ({"ref": "r", "data": {"k": "x" * MAX_DATA_BYTES}}, "/body/context/data"),
        ({"ref": "r", "colour": "red"}, "/body/context/colour"),
        ("order:1", "/body/context"),
    ],
)
async def test_a_bad_context_is_refused_and_stores_nothing(
    client, dialect, context, pointer
) -> None:
    alice, bob = await make_user(client), await make_user(client)
    # Written by json.dumps, which escapes lone surrogates as \ud800 (httpx would not).
    sent = {"receiver": bob.username, "subject": "s", "message": "m", "context": context}
    response = await client.post(
        f"/users/{alice.username}/messages",
        content=json.dumps(sent),
        headers={**alice.headers, "Content-Type": "application/json"},
    )
    body = assert_refused(response, 422, "validation_failed")
    assert [error["pointer"] for error in body["errors"]] == [pointer], body
    assert await inbox(client, bob) == []


async def test_data_over_the_limit_names_the_limit(client, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    context = {"ref": "r", "data": {"k": "x" * MAX_DATA_BYTES}}
    response = await post_message(client, alice, {"receiver": bob.username, "context": context})
    body = assert_refused(response, 422, "validation_failed")
    assert "4096 bytes" in body["errors"][0]["detail"], body


async def test_context_and_a_token_together_are_refused(client, settings, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    token = await token_for(client, settings, alice, bob)
    response = await post_message(
        client, alice, {"receiver": bob.username, "context": ORDER, "context_token": token}
    )
    assert_refused(response, 422, "validation_failed")


# Signed contexts: the pure functions


def test_a_minted_token_verifies_to_what_was_minted() -> None:
    expires = NOW + timedelta(minutes=5)
    token = mint_context(
        key=KEY, ref="order:A-123", participants=[7, 3, 7], expires_at=expires, data={"a": [1]}
    )
    assert token.startswith("ctx_")
    signed = verify_context(token, key=KEY, now=NOW)
    assert signed.context == Context("order:A-123", {"a": [1]}, signed=True)
    assert signed.participants == (7, 3)
    assert signed.expires_at == expires.replace(microsecond=0)


def _tampered_payload(token: str, change: dict[str, Any]) -> str:
    signed_part, _, signature = token.rpartition(".")
    raw = signed_part.removeprefix("ctx_")
    payload = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    payload.update(change)
    encoded = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    return f"ctx_{encoded}.{signature}"


def _flip_signature(token: str) -> str:
    """The token with its signature's first character changed: six bits of the first
    byte (the last character would also carry bits that decoding ignores)."""
    signed_part, _, signature = token.rpartition(".")
    return f"{signed_part}.{'B' if signature[0] == 'A' else 'A'}{signature[1:]}"


GOOD = mint_context(key=KEY, ref="r", participants=[1, 2], expires_at=NOW + timedelta(hours=1))


@pytest.mark.parametrize(
    "token",
    [
        _tampered_payload(GOOD, {"ref": "order:other"}),
        _tampered_payload(GOOD, {"participants": [1, 2, 3]}),
        _tampered_payload(GOOD, {"exp": 2**40}),
        _flip_signature(GOOD),
        GOOD.rpartition(".")[0],
        GOOD.rpartition(".")[0] + ".",
        GOOD.replace("ctx_", "ctz_"),
        GOOD + "x",
        mint_context(
            key=context_key("another secret"),
            ref="r",
            participants=[1, 2],
            expires_at=NOW + timedelta(hours=1),
        ),
        "ctx_",
        "ctx_.",
        "ctx_é.é",
        "not a token",
        "ctx_!!!.???",
    ],
    # Named, not shown: a token holds the time of collection, which xdist's workers differ on.
    ids=[
        "ref",
        "participants",
        "expiry",
        "signature",
        "unsigned",
        "empty-signature",
        "prefix",
        "suffix",
        "other-key",
        "bare-prefix",
        "bare-dot",
        "not-base64",
        "not-a-token",
        "garbage",
    ],
)
def test_an_altered_or_forged_token_is_invalid(token: str) -> None:
    with pytest.raises(InvalidContext) as raised:
        verify_context(token, key=KEY, now=NOW)
    assert raised.value.status == 403


def test_an_expired_token_is_invalid() -> None:
    token = mint_context(key=KEY, ref="r", participants=[1], expires_at=NOW + timedelta(seconds=5))
    assert verify_context(token, key=KEY, now=NOW).context.ref == "r"
    with pytest.raises(InvalidContext, match="expired"):
        verify_context(token, key=KEY, now=NOW + timedelta(seconds=5))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"ref": ""},
        {"ref": "x" * 201},
        {"ref": "a\x00b"},
        {"data": {"k": "x" * MAX_DATA_BYTES}},
        {"participants": []},
        {"participants": list(range(1, 103))},
        {"participants": [0]},
        {"participants": [True]},
        {"expires_at": NOW.replace(tzinfo=None)},
    ],
)
def test_mint_refuses_what_no_send_could_carry(kwargs: dict[str, Any]) -> None:
    arguments: dict[str, Any] = {
        "key": KEY,
        "ref": "r",
        "participants": [1],
        "expires_at": NOW + timedelta(hours=1),
        **kwargs,
    }
    with pytest.raises(ValueError, match=r"."):
        mint_context(**arguments)


# Signed contexts: sending with a token


async def test_a_token_sends_to_its_other_participants_under_its_context(
    client, settings, dialect
) -> None:
    alice, bob, carol, dave = [await make_user(client) for _ in range(4)]
    token = await token_for(client, settings, alice, bob, carol, data={"order": "A-123"})
    sent = await send_with(client, alice, {"context_token": token})
    assert sent["receivers"] == [bob.username, carol.username]
    context = {"ref": "order:A-123", "data": {"order": "A-123"}, "signed": True}
    assert sent["context"] == context
    for user in (bob, carol):
        (received,) = await inbox(client, user, context="order:A-123")
        assert received["context"] == context
    assert await inbox(client, dave) == []


async def test_a_token_send_may_name_some_of_its_participants(client, settings, dialect) -> None:
    alice, bob, carol = [await make_user(client) for _ in range(3)]
    token = await token_for(client, settings, alice, bob, carol)
    sent = await send_with(
        client, alice, {"receiver": bob.username.upper(), "context_token": token}
    )
    assert sent["receivers"] == [bob.username]
    assert await inbox(client, carol) == []


async def test_a_token_send_to_someone_outside_it_is_refused(client, settings, dialect) -> None:
    alice, bob, mallory = [await make_user(client) for _ in range(3)]
    token = await token_for(client, settings, alice, bob)
    response = await post_message(
        client, alice, {"receivers": [bob.username, mallory.username], "context_token": token}
    )
    body = assert_refused(response, 422, "context_mismatch")
    assert mallory.username in body["detail"]
    assert await inbox(client, bob) == []
    assert await inbox(client, mallory) == []


async def test_a_token_that_does_not_name_the_sender_is_refused(client, settings, dialect) -> None:
    alice, bob, mallory = [await make_user(client) for _ in range(3)]
    token = await token_for(client, settings, alice, bob)
    response = await post_message(client, mallory, {"context_token": token})
    assert_refused(response, 403, "invalid_context")
    assert await inbox(client, alice) == []
    assert await inbox(client, bob) == []


@pytest.mark.parametrize("how", ["expired", "tampered", "signature", "forged", "malformed"])
async def test_a_bad_token_is_refused_and_stores_nothing(client, settings, dialect, how) -> None:
    alice, bob = await make_user(client), await make_user(client)
    if how == "expired":
        token = await token_for(client, settings, alice, bob, expires_at=utcnow())
    elif how == "forged":
        token = mint_context(
            key=context_key("not the server's secret"),
            ref="order:A-123",
            participants=[await user_id(client, alice), await user_id(client, bob)],
            expires_at=utcnow() + timedelta(hours=1),
        )
    elif how == "malformed":
        token = "ctx_garbage"
    else:
        token = await token_for(client, settings, alice, bob)
        if how == "tampered":
            token = _tampered_payload(token, {"ref": "order:B-9"})
        else:
            token = _flip_signature(token)
    response = await post_message(client, alice, {"context_token": token})
    assert_refused(response, 403, "invalid_context")
    assert await inbox(client, bob) == []
    assert await inbox(client, alice, box="sent") == []


async def test_a_token_naming_a_user_who_is_gone_is_refused(client, settings, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    participants = [await user_id(client, alice), await user_id(client, bob), 2**62]
    token = mint_context(
        key=key_of(settings),
        ref="r",
        participants=participants,
        expires_at=utcnow() + timedelta(hours=1),
    )
    response = await post_message(client, alice, {"context_token": token})
    assert_refused(response, 422, "unknown_receiver")
    assert await inbox(client, bob) == []


async def test_a_reply_in_a_signed_thread_stays_among_its_participants(
    client, settings, dialect
) -> None:
    alice, bob, mallory = [await make_user(client) for _ in range(3)]
    token = await token_for(client, settings, alice, bob)
    first = await send_with(client, alice, {"context_token": token})
    reply = await send_with(client, bob, {"reply_to": first["id"]})
    assert reply["context"]["signed"] is True
    assert reply["receivers"] == [alice.username]
    response = await post_message(
        client, bob, {"reply_to": first["id"], "receivers": [alice.username, mallory.username]}
    )
    assert_refused(response, 422, "context_mismatch")
    assert await inbox(client, mallory) == []


async def test_a_token_on_a_reply_must_be_the_threads(client, settings, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    token = await token_for(client, settings, alice, bob)
    first = await send_with(client, alice, {"context_token": token})
    same = await send_with(client, bob, {"reply_to": first["id"], "context_token": token})
    assert same["thread_id"] == first["thread_id"]
    other = await token_for(client, settings, alice, bob, ref="order:B-9")
    response = await post_message(client, bob, {"reply_to": first["id"], "context_token": other})
    assert_refused(response, 422, "context_mismatch")


# Idempotency


async def test_the_idempotency_key_covers_the_context(client, settings, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    key = {"Idempotency-Key": "ctx-1"}
    body = {"receiver": bob.username, "context": ORDER}
    first = await post_message(client, alice, body, headers=key)
    assert first.status_code == 201, first.text
    again = await post_message(client, alice, body, headers=key)
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    other = await post_message(
        client, alice, {**body, "context": {"ref": "order:B-9"}}, headers=key
    )
    assert_refused(other, 422, "idempotency_key_reused")
    bare = await post_message(client, alice, {"receiver": bob.username}, headers=key)
    assert_refused(bare, 422, "idempotency_key_reused")
    token = await token_for(client, settings, alice, bob)
    signed = await post_message(client, alice, {"context_token": token}, headers=key)
    assert_refused(signed, 422, "idempotency_key_reused")
    assert len(await inbox(client, bob)) == 1


# Who sees a context


async def test_another_user_sees_no_context_of_mail_not_theirs(client, dialect) -> None:
    alice, bob, eve = [await make_user(client) for _ in range(3)]
    sent = await send_with(client, alice, {"receiver": bob.username, "context": ORDER})
    got = await client.get(f"/users/{eve.username}/messages/{sent['id']}", headers=eve.headers)
    assert_refused(got, 404, "message_not_found")
    thread = await client.get(
        f"/users/{eve.username}/threads/{sent['thread_id']}", headers=eve.headers
    )
    assert_refused(thread, 404, "thread_not_found")
    for box in ("inbox", "sent", "trash"):
        assert await inbox(client, eve, box=box, context=ORDER["ref"]) == []
    other = await client.get(
        f"/users/{bob.username}/messages", params={"context": ORDER["ref"]}, headers=eve.headers
    )
    assert_refused(other, 403, "not_your_mailbox")
    reply = await post_message(client, eve, {"reply_to": sent["id"], "context": ORDER})
    assert_refused(reply, 422, "reply_to_not_found")
