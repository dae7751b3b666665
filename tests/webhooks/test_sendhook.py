"""The pre-send hook (issue 19, item 8) against a real HTTP receiver on 127.0.0.1: allow,
deny, modify, a hook too slow or broken with either failure mode, idempotent sends, and
every door that sends. Signatures are checked with webhooks.signing: the
`standardwebhooks` package is not among the dev dependencies yet."""

from __future__ import annotations

import json
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import anyio
import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from pydantic import SecretStr

from mailslot.accounts.service import SYSTEM_USERNAME
from mailslot.app import create_app
from mailslot.config import Settings
from mailslot.errors import SendHookUnavailable, WebhookUrlRefused
from mailslot.webhooks import sendhook, signing
from tests.compat.seed_a import make_seed_a_user, native_headers, seed_a
from tests.support.databases import make_settings
from tests.support.factories import TestUser, make_server_key, make_user, post_message
from tests.support.people import give_external_id

pytestmark = pytest.mark.anyio

SECRET = signing.new_secret()
ALLOW = {"action": "allow"}


@dataclass
class Seen:
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.body)
        return parsed

    @property
    def data(self) -> dict[str, Any]:
        data: dict[str, Any] = self.json["data"]
        return data


@dataclass
class Receiver:
    """The host's hook: records each request and answers as the test says. `stall` holds
    every answer until the test ends (a hook that never answers in time)."""

    port: int = 0
    status: int = 200
    answer: bytes = json.dumps(ALLOW).encode()
    headers: dict[str, str] = field(default_factory=dict)
    stall: bool = False
    seen: list[Seen] = field(default_factory=list)
    released: threading.Event = field(default_factory=threading.Event)
    arrived: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def answers(self, answer: dict[str, Any] | bytes, status: int = 200) -> None:
        self.answer = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
        self.status = status


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.seen.append(Seen({k.lower(): v for k, v in self.headers.items()}, body))
            state.arrived.set()
            if state.stall:
                state.released.wait(10)
            self.send_response(state.status)
            for name, value in state.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(state.answer)))
            self.end_headers()
            self.wfile.write(state.answer)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield state
    state.released.set()
    server.shutdown()
    server.server_close()
    thread.join(5)


@dataclass
class Hooked:
    app: FastAPI
    client: httpx.AsyncClient


@asynccontextmanager
async def hooked(settings: Settings, receiver: Receiver, **overrides: Any) -> AsyncIterator[Hooked]:
    """An instance on the test database whose sends the receiver vets."""
    values = {
        "send_hook_url": receiver.url,
        "send_hook_secret": SecretStr(SECRET),
        "webhook_allow_private": True,
        **overrides,
    }
    app = create_app(settings.model_copy(update=values))
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://hooked.test") as c:
            yield Hooked(app, c)


@pytest.fixture
async def open_hook(settings: Settings, receiver: Receiver) -> AsyncIterator[Hooked]:
    async with hooked(settings, receiver) as instance:
        yield instance


@pytest.fixture
async def closed_hook(settings: Settings, receiver: Receiver) -> AsyncIterator[Hooked]:
    async with hooked(settings, receiver, send_hook_failure="deny") as instance:
        yield instance


def verified(seen: Seen) -> bool:
    """Whether the request carries a valid Standard Webhooks signature by SECRET."""
    expected = signing.signature(
        SECRET, seen.headers["webhook-id"], int(seen.headers["webhook-timestamp"]), seen.body
    )
    return expected in seen.headers["webhook-signature"].split()


async def mailbox(client: httpx.AsyncClient, user: TestUser, box: str) -> list[dict[str, Any]]:
    page = await client.get(
        f"/users/{user.username}/messages", params={"box": box}, headers=user.headers
    )
    assert page.status_code == 200, page.text
    return list(page.json()["messages"])


async def latest_change(client: httpx.AsyncClient, user: TestUser) -> int:
    page = await client.get(f"/users/{user.username}/changes", headers=user.headers)
    assert page.status_code == 200, page.text
    return int(page.json()["latest"])


async def state_of(client: httpx.AsyncClient, *users: TestUser) -> list[Any]:
    """What a refused send must leave as it was: each user's boxes and change log."""
    return [
        (
            await mailbox(client, user, "inbox"),
            await mailbox(client, user, "sent"),
            await latest_change(client, user),
        )
        for user in users
    ]


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem: dict[str, Any] = response.json()
    assert problem["code"] == code
    return problem


# Pure


def test_a_reason_is_cleaned_and_bounded() -> None:
    assert sendhook.sanitize("no\x00 links\r\n\tplease\u202e ") == "no links please"
    cut = sendhook.sanitize("x" * 2000)
    assert len(cut) == sendhook.MAX_REASON
    assert cut.endswith("…")


@pytest.mark.parametrize(
    "answer",
    [
        b"not json",
        b"[]",
        b'{"action": "maybe"}',
        b'{"action": "modify", "subject": "   "}',
        b'{"action": "modify", "body": 7}',
        b'{"action": "modify", "body": "' + b"x" * 70_000 + b'"}',
    ],
)
def test_an_answer_that_is_not_one_of_the_three_fails(answer: bytes) -> None:
    outgoing = sendhook.Outgoing("api", "a", ["b"], "s", "m")
    with pytest.raises(sendhook.HookFailed):
        sendhook.decide(outgoing, answer)


def make_hook(url: str, *, allow_private: bool = True, fail_open: bool = True, **more: Any):
    return sendhook.SendHook(
        url=url,
        secret=SECRET,
        timeout_ms=1000,
        fail_open=fail_open,
        allow_private=allow_private,
        **more,
    )


async def test_the_request_goes_to_the_address_checked_with_the_host_named() -> None:
    requests: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(200, json={"action": "modify", "body": "changed"})

    hook = make_hook("https://localhost:8443/hook?v=1", transport=httpx.MockTransport(answer))
    try:
        vetted = await hook.vet(sendhook.Outgoing("api", "a", ["b"], "s", "m"))
    finally:
        await hook.aclose()

    assert vetted == sendhook.Vetted("s", "changed")
    (request,) = requests
    assert request.url.host in ("127.0.0.1", "::1")
    assert (request.url.scheme, request.url.port, request.url.raw_path) == (
        "https",
        8443,
        b"/hook?v=1",
    )
    assert request.headers["host"] == "localhost:8443"
    assert request.extensions["sni_hostname"] == "localhost"


@pytest.mark.parametrize("fail_open", [True, False])
async def test_a_private_address_met_at_call_time_is_a_failure(fail_open) -> None:
    # As a name that resolved to a public address at startup and to this one now would.
    hook = make_hook("http://127.0.0.1:1/hook", allow_private=False, fail_open=fail_open)
    outgoing = sendhook.Outgoing("api", "a", ["b"], "s", "m")
    try:
        if fail_open:
            assert await hook.vet(outgoing) == sendhook.Vetted("s", "m")
        else:
            with pytest.raises(SendHookUnavailable):
                await hook.vet(outgoing)
    finally:
        await hook.aclose()


def test_a_hook_without_a_secret_is_a_configuration_error(tmp_path) -> None:
    unhooked = make_settings(tmp_path, "sqlite+aiosqlite:///unused.db")
    assert sendhook.SendHook.from_settings(unhooked) is None
    configured = make_settings(
        tmp_path, "sqlite+aiosqlite:///unused.db", send_hook_url="https://hook.example.com/"
    )
    with pytest.raises(ValueError, match="MAILSLOT_SEND_HOOK_SECRET"):
        sendhook.SendHook.from_settings(configured)


# The native door (seed B's address too)


async def test_an_allowed_send_is_stored_and_the_hook_saw_it_signed(open_hook, receiver) -> None:
    client = open_hook.client
    alice, bob = await make_user(client), await make_user(client)

    sent = await post_message(
        client,
        alice,
        {"receiver": bob.username, "subject": "Hi", "message": "Lunch?", "context": {"ref": "o:1"}},
    )

    assert sent.status_code == 201, sent.text
    assert [m["id"] for m in await mailbox(client, bob, "inbox")] == [sent.json()["id"]]
    (seen,) = receiver.seen
    assert verified(seen)
    assert seen.headers["webhook-id"].startswith("msg_")
    assert seen.headers["host"] == f"127.0.0.1:{receiver.port}"
    assert seen.json["type"] == "message.sending"
    assert seen.data == {
        "door": "api",
        "sender": alice.username,
        "receivers": [bob.username],
        "subject": "Hi",
        "body": "Lunch?",
        "context": {"ref": "o:1", "data": None, "signed": False},
        "reply_to": None,
    }


async def test_a_denied_send_is_403_with_the_reason_and_stores_nothing(open_hook, receiver) -> None:
    client = open_hook.client
    alice, bob = await make_user(client), await make_user(client)
    before = await state_of(client, alice, bob)
    receiver.answers({"action": "deny", "reason": "No phone numbers\x07 here.\n" + "!" * 900})

    refused = await post_message(client, alice, {"receiver": bob.username})

    problem = assert_problem(refused, 403, "policy_denied")
    assert problem["detail"].startswith("No phone numbers here. !!!")
    assert len(problem["detail"]) == sendhook.MAX_REASON
    assert await state_of(client, alice, bob) == before


async def test_a_deny_without_a_reason_says_the_policy_refused(open_hook, receiver) -> None:
    client = open_hook.client
    alice, bob = await make_user(client), await make_user(client)
    receiver.answers({"action": "deny", "reason": 42})

    refused = await post_message(client, alice, {"receiver": bob.username})

    assert assert_problem(refused, 403, "policy_denied")["detail"] == sendhook.DEFAULT_REASON


async def test_a_modified_send_is_stored_modified(open_hook, receiver) -> None:
    client = open_hook.client
    alice, bob = await make_user(client), await make_user(client)
    receiver.answers({"action": "modify", "body": "Call me at [removed]."})

    sent = await post_message(
        client, alice, {"receiver": bob.username, "subject": "Hi", "message": "Call 555-0100."}
    )

    assert sent.status_code == 201, sent.text
    assert (sent.json()["subject"], sent.json()["message"]) == ("Hi", "Call me at [removed].")
    (stored,) = await mailbox(client, bob, "inbox")
    assert (stored["subject"], stored["message"]) == ("Hi", "Call me at [removed].")


# A hook that fails


FAILURES = {
    "500": (500, b'{"action": "deny", "reason": "ignored: not a 2xx"}'),
    "redirect": (302, b""),
    "garbage": (200, b"<html>oops</html>"),
    "unknown action": (200, b'{"action": "shrug"}'),
    "invalid modify": (200, b'{"action": "modify", "subject": ""}'),
    "over 64 KiB": (200, b'{"action": "allow", "pad": "' + b"x" * 70_000 + b'"}'),
}


@pytest.mark.parametrize("failure", FAILURES)
async def test_a_failing_hook_lets_the_send_through_when_failing_open(
    open_hook, receiver, failure, caplog
) -> None:
    client = open_hook.client
    alice, bob = await make_user(client), await make_user(client)
    status, answer = FAILURES[failure]
    receiver.answers(answer, status)
    receiver.headers = {"Location": "http://127.0.0.1:1/elsewhere"} if status == 302 else {}

    sent = await post_message(client, alice, {"receiver": bob.username, "subject": "As is"})

    assert sent.status_code == 201, sent.text
    assert [m["subject"] for m in await mailbox(client, bob, "inbox")] == ["As is"]
    assert len(receiver.seen) == 1  # the redirect is not followed
    assert "send hook failed" in caplog.text


@pytest.mark.parametrize("failure", FAILURES)
async def test_a_failing_hook_refuses_the_send_when_failing_closed(
    closed_hook, receiver, failure
) -> None:
    client = closed_hook.client
    alice, bob = await make_user(client), await make_user(client)
    before = await state_of(client, alice, bob)
    receiver.answers(*reversed(FAILURES[failure]))

    refused = await post_message(client, alice, {"receiver": bob.username})

    assert_problem(refused, 503, "send_hook_unavailable")
    assert refused.headers["retry-after"] == "1"
    assert await state_of(client, alice, bob) == before


async def test_a_hook_slower_than_its_budget_is_a_failure(settings, receiver) -> None:
    receiver.stall = True
    async with hooked(settings, receiver, send_hook_timeout_ms=200) as open_:
        alice, bob = await make_user(open_.client), await make_user(open_.client)
        sent = await post_message(open_.client, alice, {"receiver": bob.username})
        assert sent.status_code == 201, sent.text
        assert len(await mailbox(open_.client, bob, "inbox")) == 1
    async with hooked(
        settings, receiver, send_hook_timeout_ms=200, send_hook_failure="deny"
    ) as closed:
        before = await state_of(closed.client, alice, bob)
        refused = await post_message(closed.client, alice, {"receiver": bob.username})
        assert_problem(refused, 503, "send_hook_unavailable")
        assert await state_of(closed.client, alice, bob) == before


async def test_no_database_connection_waits_on_the_hook(settings, receiver) -> None:
    receiver.stall = True
    # One connection in the pool: were the stalled send holding it, the listing would
    # wait MAILSLOT_DB_POOL_TIMEOUT for it and answer 503.
    async with hooked(settings, receiver, db_pool_size=1, send_hook_timeout_ms=5000) as one:
        alice, bob = await make_user(one.client), await make_user(one.client)
        sent: list[httpx.Response] = []

        async def send() -> None:
            sent.append(await post_message(one.client, alice, {"receiver": bob.username}))

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(send)
            assert await anyio.to_thread.run_sync(receiver.arrived.wait, 5)
            assert await mailbox(one.client, bob, "inbox") == []
            receiver.released.set()
        assert sent[0].status_code == 201, sent[0].text


async def test_an_unreachable_hook_is_a_failure(settings, receiver) -> None:
    receiver.port = 1  # nothing listens there
    async with hooked(settings, receiver, send_hook_failure="deny") as closed:
        alice, bob = await make_user(closed.client), await make_user(closed.client)
        refused = await post_message(closed.client, alice, {"receiver": bob.username})
        assert_problem(refused, 503, "send_hook_unavailable")


async def test_a_private_hook_address_stops_the_start(settings, receiver) -> None:
    app = create_app(
        settings.model_copy(
            update={"send_hook_url": receiver.url, "send_hook_secret": SecretStr(SECRET)}
        )
    )
    with pytest.raises(WebhookUrlRefused):
        async with LifespanManager(app):
            pass


# Idempotency


async def test_a_key_denied_then_allowed_sends_once_and_replays_without_asking(
    open_hook, receiver
) -> None:
    client = open_hook.client
    alice, bob = await make_user(client), await make_user(client)
    key = {"Idempotency-Key": "order-77"}
    receiver.answers({"action": "deny", "reason": "Not now."})

    denied = await post_message(client, alice, {"receiver": bob.username}, headers=key)
    assert_problem(denied, 403, "policy_denied")

    receiver.answers({"action": "modify", "subject": "Vetted"})
    sent = await post_message(client, alice, {"receiver": bob.username}, headers=key)
    assert sent.status_code == 201, sent.text
    assert "idempotent-replayed" not in sent.headers

    receiver.answers({"action": "deny", "reason": "Would refuse, if asked."})
    replayed = await post_message(client, alice, {"receiver": bob.username}, headers=key)
    assert replayed.status_code == 201, replayed.text
    assert replayed.headers["idempotent-replayed"] == "true"
    assert replayed.json() == sent.json()
    assert len(receiver.seen) == 2
    assert [m["subject"] for m in await mailbox(client, bob, "inbox")] == ["Vetted"]


# The other doors


async def test_a_reply_shows_the_hook_its_receivers_and_context(open_hook, receiver) -> None:
    client = open_hook.client
    alice, bob = await make_user(client), await make_user(client)
    first = await post_message(
        client, alice, {"receiver": bob.username, "context": {"ref": "order:9", "data": {"n": 1}}}
    )
    assert first.status_code == 201, first.text
    receiver.answers({"action": "deny", "reason": "Thread closed."})

    refused = await post_message(client, bob, {"reply_to": first.json()["id"]})

    assert_problem(refused, 403, "policy_denied")
    seen = receiver.seen[-1]
    assert verified(seen)
    assert seen.data["receivers"] == [alice.username]
    assert seen.data["reply_to"] == first.json()["id"]
    assert seen.data["context"] == {"ref": "order:9", "data": {"n": 1}, "signed": False}
    assert await mailbox(client, alice, "inbox") == []


async def test_a_reply_to_a_message_one_cannot_see_is_refused_before_the_hook(
    open_hook, receiver
) -> None:
    client = open_hook.client
    alice = await make_user(client)

    refused = await post_message(client, alice, {"reply_to": 2**62})

    assert_problem(refused, 422, "reply_to_not_found")
    assert receiver.seen == []


async def test_a_send_under_a_context_token_shows_the_tokens_participants(
    open_hook, receiver
) -> None:
    app, client = open_hook.app, open_hook.client
    buyer, seller = await make_user(client), await make_user(client)
    buyer_id = await give_external_id(app, buyer.username)
    seller_id = await give_external_id(app, seller.username)
    key = await make_server_key(app, "tokens:mint")
    minted = await client.post(
        "/server/contexts",
        json={"ref": "order:B-7", "participants": [buyer_id, seller_id], "expires_in": 600},
        headers=key.headers,
    )
    assert minted.status_code == 201, minted.text
    receiver.answers({"action": "modify", "subject": "About order B-7"})

    sent = await post_message(client, buyer, {"context_token": minted.json()["context_token"]})

    assert sent.status_code == 201, sent.text
    (seen,) = receiver.seen
    assert seen.data["receivers"] == [seller.username]
    assert seen.data["context"] == {"ref": "order:B-7", "data": None, "signed": True}
    assert [m["subject"] for m in await mailbox(client, seller, "inbox")] == ["About order B-7"]


async def test_the_server_door_vets_a_user_but_not_the_platform(open_hook, receiver) -> None:
    app, client = open_hook.app, open_hook.client
    alice, bob = await make_user(client), await make_user(client)
    alice_id = await give_external_id(app, alice.username)
    bob_id = await give_external_id(app, bob.username)
    key = await make_server_key(app, "messages:send_as")
    receiver.answers({"action": "deny", "reason": "Sellers may not write first."})
    message = {"to": [bob_id, "cus_nobody"], "subject": "Offer", "message": "Hello"}

    refused = await client.post(
        "/server/messages", json={"from": alice_id, **message}, headers=key.headers
    )
    assert_problem(refused, 403, "policy_denied")
    (seen,) = receiver.seen
    assert verified(seen)
    assert seen.data["door"] == "server"
    assert (seen.data["sender"], seen.data["receivers"]) == (alice.username, [bob.username])
    assert await mailbox(client, bob, "inbox") == []

    notice = await client.post(
        "/server/messages", json={"from": "system", **message}, headers=key.headers
    )
    assert notice.status_code == 201, notice.text
    assert len(receiver.seen) == 1  # the platform's own send is not vetted


async def test_the_platform_is_vetted_when_the_operator_says_so(settings, receiver) -> None:
    async with hooked(settings, receiver, send_hook_system=True) as instance:
        app, client = instance.app, instance.client
        bob = await make_user(client)
        bob_id = await give_external_id(app, bob.username)
        key = await make_server_key(app, "messages:send_as")
        receiver.answers({"action": "modify", "subject": "Notice (vetted)"})

        sent = await client.post(
            "/server/messages",
            json={"from": "system", "to": [bob_id], "subject": "Notice", "message": "Hi"},
            headers=key.headers,
        )

        assert sent.status_code == 201, sent.text
        assert receiver.seen[0].data["sender"] == SYSTEM_USERNAME
        assert [m["subject"] for m in await mailbox(client, bob, "inbox")] == ["Notice (vetted)"]


async def test_seed_a_writes_are_vetted(open_hook, receiver) -> None:
    client = open_hook.client
    alice, bob = await make_seed_a_user(client), await make_seed_a_user(client)
    write = f"//message?{alice.credentials}&request=write"
    receiver.answers({"action": "deny", "reason": "No."})

    refused = await seed_a(client, "POST", write, json=alice.message(bob))
    assert_problem(refused, 403, "policy_denied")
    assert refused.json()["detail"] == "No."

    receiver.answers({"action": "modify", "subject": "subject, vetted"})
    written = await seed_a(client, "POST", write, json=alice.message(bob))
    assert written.status_code == 201, written.text
    assert written.json()["subject"] == "subject, vetted"
    assert written.json()["timestamp"] == "Fri, 09 Oct 2020 23:01:26 GMT"
    assert all(verified(seen) for seen in receiver.seen)
    assert receiver.seen[0].data["door"] == "seed_a"
    assert receiver.seen[0].data["receivers"] == [bob.username]

    listed = await seed_a(client, "GET", f"//messages?{bob.credentials}&request=get_all")
    assert [m["subject"] for m in listed.json()] == ["subject, vetted"]
    bob_native = await native_headers(client, bob)
    changes = await client.get(f"/users/{bob.username}/changes", headers=bob_native)
    assert len(changes.json()["changes"]) == 1  # the denied write left no entry
