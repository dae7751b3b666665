"""The delivery worker against real receivers (HTTP servers in this process's threads),
every signature verified with the `standardwebhooks` package from PyPI."""

from __future__ import annotations

import asyncio
import random
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import delete, select

from mailslot import __version__
from mailslot.app import create_app
from mailslot.bus.events import SESSION_ENDED, Event
from mailslot.state import app_state
from mailslot.webhooks import delivery, outbox, signing
from mailslot.webhooks.delivery import Outcome
from mailslot.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from mailslot.webhooks.worker import HOLD, HOLD_FAST, MAX_RESPONSE_BYTES, SWITCH_INTERVAL, Worker
from tests.support.databases import make_settings
from tests.support.factories import make_user, send
from tests.support.receivers import Answer, Receiver, eventually
from tests.support.servers import free_port
from tests.webhooks.worker.conftest import FAST, Hooks, wait_for

pytestmark = [pytest.mark.anyio, pytest.mark.pgbouncer, pytest.mark.timeout(60)]


def secret() -> str:
    return signing.new_secret()


async def test_an_event_arrives_signed_once(hooks) -> None:
    key = secret()
    with Receiver(secrets=[key]) as receiver:
        async with hooks() as h:
            endpoint = await h.endpoint(receiver.url(), secret=key)
            event_id = await h.emit("user.created", user={"username": "ann"})
            done = await wait_for(lambda: h.settled(event_id, endpoint))
            attempts = await h.attempts(done)
            rows = await h.attempt_rows(done)

    [request] = receiver.requests
    assert request.verified_with == [key]
    assert request.id == event_id
    assert request.headers["user-agent"] == f"mailslot-webhooks/{__version__}"
    assert request.headers["content-type"] == "application/json"
    assert request.json["type"] == "user.created"
    assert request.json["data"] == {"user": {"username": "ann"}}
    assert request.json["timestamp"].endswith("Z")
    assert done.status == "succeeded"
    assert done.attempts == 1
    assert done.last_status_code == 204
    assert done.claimed_until is None
    assert [(a.number, a.status_code, a.error) for a in attempts] == [(1, 204, None)]
    assert rows == []  # the only attempt is on the delivery's row alone


async def test_a_failing_receiver_is_retried_until_it_recovers(hooks) -> None:
    key = secret()
    with Receiver(secrets=[key]) as receiver:
        receiver.respond = lambda r: (
            Answer(500, body=b"down") if len(receiver.requests) <= 2 else Answer(200, body=b"ok")
        )
        async with hooks() as h:
            endpoint = await h.endpoint(receiver.url(), secret=key)
            event_id = await h.emit()
            done = await wait_for(lambda: h.settled(event_id, endpoint))
            attempts = await h.attempts(done)
            rows = await h.attempt_rows(done)
            after = await h.get_endpoint(endpoint)

    assert done.status == "succeeded"
    assert rows == [1, 2]  # each retry moved the attempt before it to a row
    assert [(a.number, a.status_code, a.response) for a in attempts] == [
        (1, 500, "down"),
        (2, 500, "down"),
        (3, 200, "ok"),
    ]
    assert {r.id for r in receiver.requests} == {event_id}
    assert all(r.verified_with == [key] for r in receiver.requests)
    # webhook-timestamp is set at each attempt: each signs its own.
    assert len({r.signature for r in receiver.requests}) >= 1
    assert after.failing_since is None  # the success ended the run of failures


async def test_the_schedule_ends_in_failed(hooks) -> None:
    with Receiver() as receiver:
        receiver.respond = lambda r: Answer(503)
        async with hooks(webhook_retry_schedule=[0, 0.1, 0.1]) as h:
            endpoint = await h.endpoint(receiver.url())
            event_id = await h.emit()
            done = await wait_for(lambda: h.settled(event_id, endpoint))
            after = await h.get_endpoint(endpoint)

    assert done.status == "failed"
    assert done.attempts == 3
    assert done.next_attempt_at is None
    assert len(receiver.of(event_id)) == 3
    assert after.enabled  # failing, but not for long enough to be disabled
    assert after.failing_since is not None


async def test_a_receiver_that_does_not_answer_times_out(hooks) -> None:
    never = threading.Event()
    with Receiver() as receiver:
        receiver.respond = lambda r: Answer(200, hold=never)
        async with hooks(webhook_timeout=0.3, webhook_retry_schedule=[0, 0.1]) as h:
            endpoint = await h.endpoint(receiver.url())
            event_id = await h.emit()
            done = await wait_for(lambda: h.settled(event_id, endpoint))
            attempts = await h.attempts(done)

    assert done.status == "failed"
    assert [(a.status_code, a.error) for a in attempts] == [
        (None, "No answer within 0.3 s."),
        (None, "No answer within 0.3 s."),
    ]
    assert all(a.latency_ms >= 300 for a in attempts)


async def test_410_disables_the_endpoint_and_tells_its_siblings(hooks) -> None:
    with Receiver() as gone, Receiver() as sibling:
        gone.respond = lambda r: Answer(410)
        async with hooks() as h:
            endpoint = await h.endpoint(gone.url())
            await h.endpoint(sibling.url(), types=("webhook.endpoint.disabled",))
            event_id = await h.emit()
            done = await wait_for(lambda: h.settled(event_id, endpoint))
            [told] = await eventually(lambda: sibling.requests)
            after = await h.get_endpoint(endpoint)

    assert done.status == "failed"
    assert done.attempts == 1
    assert not after.enabled
    assert after.disabled_reason == "The endpoint answered 410 Gone."
    assert told.json["type"] == "webhook.endpoint.disabled"
    assert told.json["data"]["endpoint"]["id"] == endpoint.public_id
    assert told.json["data"]["reason"] == after.disabled_reason
    assert {r.json["type"] for r in gone.requests} == {"user.created"}  # never told itself


async def test_retry_after_is_honoured(hooks) -> None:
    with Receiver() as receiver:
        receiver.respond = lambda r: (
            Answer(429, headers={"Retry-After": "2"}) if len(receiver.requests) == 1 else Answer()
        )
        async with hooks() as h:
            endpoint = await h.endpoint(receiver.url())
            event_id = await h.emit()

            async def first_failed():
                found = await h.delivery(event_id, endpoint)
                return found if found.attempts == 1 else None

            waiting = await wait_for(first_failed)
            done = await wait_for(lambda: h.settled(event_id, endpoint))

    # The schedule's next step is 0.2 s; the receiver asked for 2.
    assert waiting.next_attempt_at - waiting.last_attempt_at >= timedelta(seconds=2)
    assert done.status == "succeeded"
    assert done.attempts == 2


async def test_a_receiver_down_then_up_gets_the_event(hooks) -> None:
    port = free_port()
    async with hooks(webhook_retry_schedule=[0] + [0.2] * 30) as h:
        endpoint = await h.endpoint(f"http://127.0.0.1:{port}/hooks")
        event_id = await h.emit()

        async def failed_once():
            found = await h.delivery(event_id, endpoint)
            return found if found.attempts >= 1 else None

        down = await wait_for(failed_once)
        with Receiver(port=port) as receiver:
            done = await wait_for(lambda: h.settled(event_id, endpoint))

    assert down.last_status_code is None
    assert down.last_error.startswith("Could not connect")
    assert done.status == "succeeded"
    assert receiver.ids() == {event_id}


async def test_a_rotation_while_deliveries_are_in_flight(hooks) -> None:
    old = secret()
    release = threading.Event()
    with Receiver(secrets=[old]) as receiver:
        # The first attempt is held until the secret has rotated, then fails: its retry is
        # signed after the rotation.
        receiver.respond = lambda r: (
            Answer(500, hold=release) if len(receiver.requests) == 1 else Answer()
        )
        async with hooks() as h:
            endpoint = await h.endpoint(receiver.url(), secret=old)
            held_id = await h.emit()
            await eventually(lambda: receiver.requests)
            new = await h.rotate(endpoint, grace=3600)
            receiver.secrets.append(new)
            release.set()
            later_id = await h.emit()
            await wait_for(lambda: h.settled(held_id, endpoint))
            await wait_for(lambda: h.settled(later_id, endpoint))

    first, *retries = receiver.of(held_id)
    assert first.verified_with == [old]  # signed before the rotation
    assert len(first.signature.split(" ")) == 1
    for request in [*retries, *receiver.of(later_id)]:
        assert sorted(request.verified_with) == sorted([old, new])
        assert len(request.signature.split(" ")) == 2


async def test_after_the_grace_only_the_new_secret_signs(hooks) -> None:
    old = secret()
    with Receiver(secrets=[old]) as receiver:
        async with hooks() as h:
            endpoint = await h.endpoint(receiver.url(), secret=old)
            new = await h.rotate(endpoint, grace=-1)
            receiver.secrets.append(new)
            event_id = await h.emit()
            await wait_for(lambda: h.settled(event_id, endpoint))

    [request] = receiver.requests
    assert request.verified_with == [new]


async def test_a_redirect_is_not_followed(hooks) -> None:
    with Receiver() as target, Receiver() as receiver:
        receiver.respond = lambda r: Answer(307, headers={"Location": target.url()})
        async with hooks(webhook_retry_schedule=[0]) as h:
            endpoint = await h.endpoint(receiver.url())
            event_id = await h.emit()
            done = await wait_for(lambda: h.settled(event_id, endpoint))

    assert done.status == "failed"
    assert done.last_status_code == 307
    assert done.last_error == f"Redirects are not followed (Location: {target.url()})."
    assert target.requests == []


async def test_a_response_body_is_read_to_64_kib_at_most(hooks) -> None:
    with Receiver() as receiver:
        receiver.respond = lambda r: Answer(200, endless=True)
        async with hooks() as h:
            endpoint = await h.endpoint(receiver.url())
            event_id = await h.emit()
            done = await wait_for(lambda: h.settled(event_id, endpoint))

    # Never finishing its body, the receiver still got its success recorded.
    assert done.status == "succeeded"
    assert done.last_response == "x" * delivery.SNIPPET_CHARS
    assert MAX_RESPONSE_BYTES == 64 * 1024


async def test_failing_past_disable_after_disables_and_tells_siblings(hooks) -> None:
    with Receiver() as failing, Receiver() as sibling:
        failing.respond = lambda r: Answer(500)
        schedule = [0] + [0.1] * 50
        async with hooks(webhook_disable_after=0.5, webhook_retry_schedule=schedule) as h:
            endpoint = await h.endpoint(failing.url())
            other = await h.endpoint(sibling.url())
            event_id = await h.emit()

            async def disabled():
                found = await h.get_endpoint(endpoint)
                return found if not found.enabled else None

            after = await wait_for(disabled)
            notices = await eventually(
                lambda: [
                    r for r in sibling.requests if r.json["type"] == "webhook.endpoint.disabled"
                ]
            )
            parked = await h.delivery(event_id, endpoint)
            # A later event reaches the sibling: the worker went round again meanwhile.
            later = await h.emit("user.updated")
            await wait_for(lambda: h.settled(later, other))
            still = await h.delivery(event_id, endpoint)

    assert after.disabled_reason == "Every delivery failed for 0.5 s running."
    assert after.failing_since is None  # enabled again, it starts a new run
    assert [n.json["data"]["endpoint"]["id"] for n in notices] == [endpoint.public_id]
    assert parked.attempts >= 2
    # Parked: pending, and not attempted while its endpoint is disabled.
    assert (still.status, still.attempts) == ("pending", parked.attempts)
    assert len(failing.of(event_id)) == parked.attempts
    assert failing.ids() == {event_id}


@pytest.mark.parametrize(
    ("host", "said"),
    [("localhost", "resolves to a non-public address"), ("127.0.0.1", "not public")],
)
async def test_a_private_address_is_refused_at_connect_time(hooks, host: str, said: str) -> None:
    # A name is checked by the client's resolver at each connection, an IP literal once
    # per URL (worker._target): both before anything is sent.
    with Receiver() as receiver:
        async with hooks(webhook_allow_private=False, webhook_retry_schedule=[0]) as h:
            endpoint = await h.endpoint(receiver.url(host=host))
            event_id = await h.emit()
            done = await wait_for(lambda: h.settled(event_id, endpoint))

    assert done.status == "failed"
    assert done.last_status_code is None
    assert said in done.last_error
    assert done.last_error.endswith("webhooks go to public addresses only.")
    assert receiver.requests == []


async def test_a_commit_wakes_the_worker_at_once(hooks) -> None:
    with Receiver() as receiver:
        async with hooks(webhook_poll_interval=60) as h:
            endpoint = await h.endpoint(receiver.url())
            # The worker has polled once (at start); from now on only a wake-up helps.
            event_id = await h.emit()
            done = await wait_for(lambda: h.settled(event_id, endpoint), within=20)

    assert done.status == "succeeded"


async def test_an_endpoint_gets_at_most_its_connections_at_once(hooks) -> None:
    release = threading.Event()
    with Receiver() as receiver:
        receiver.respond = lambda r: Answer(hold=release)
        async with hooks(webhook_connections=2) as h:
            endpoint = await h.endpoint(receiver.url())
            ids = [await h.emit() for _ in range(6)]
            await eventually(lambda: receiver.in_flight == 2)
            # Give the worker every chance to (wrongly) start more.
            await h.emit()
            await eventually(lambda: len(receiver.requests) == 2 and receiver.in_flight == 2)
            release.set()
            for event_id in ids:
                await wait_for(partial(h.settled, event_id, endpoint))

    assert receiver.most_in_flight == 2
    assert receiver.overlaps == []


async def claimed(h: Hooks) -> int:
    """Deliveries held by a claim (leased, not yet recorded)."""
    async with h.sessions() as db:
        return len(
            (
                await db.scalars(
                    select(WebhookDelivery.id).where(
                        WebhookDelivery.status == "pending",
                        WebhookDelivery.claimed_until.is_not(None),
                    )
                )
            ).all()
        )


@pytest.mark.parametrize("quick", [False, True])
async def test_a_quick_endpoint_is_claimed_for_in_larger_batches(hooks, quick: bool) -> None:
    """An endpoint holds HOLD deliveries per connection while it is not known to be quick
    (its claims are attempted well within their lease), HOLD_FAST once its attempts have
    been (a claim serves more); a claim takes at most half of that."""
    release = threading.Event()
    with Receiver() as receiver:
        async with hooks(webhook_connections=1, webhook_poll_interval=60) as h:
            endpoint = await h.endpoint(receiver.url())
            if quick:
                for _ in range(3):
                    await wait_for(partial(h.settled, await h.emit(), endpoint))
            receiver.respond = lambda r: Answer(hold=release)
            async with h.sessions() as db:  # one commit: one wake, one claim
                ids = [
                    await outbox.emit(db, "user.created", {"user": {"username": f"u{n}"}})
                    for n in range(2 * HOLD_FAST)
                ]
                await db.commit()
            hold = HOLD_FAST if quick else HOLD
            await wait_for(lambda: _equals(claimed(h), hold // 2))
            await h.emit()  # a wake: the endpoint holds half, so one more claim
            await wait_for(lambda: _equals(claimed(h), hold))
            await h.emit()  # it holds all it may: no claim
            await anyio.sleep(0.2)
            assert await claimed(h) == hold
            release.set()
            for event_id in ids:
                assert event_id is not None
                await wait_for(partial(h.settled, event_id, endpoint))


async def _equals(count: Awaitable[int], expected: int) -> bool:
    return bool(await count == expected)


async def test_https_to_a_name_connects_to_the_checked_address(hooks, tmp_path: Path) -> None:
    authority, server = certificates(tmp_path, "localhost")
    with Receiver(tls=server) as receiver:
        async with hooks() as h:
            h.worker._verify = authority
            endpoint = await h.endpoint(receiver.url(host="localhost"))
            event_id = await h.emit()
            done = await wait_for(lambda: h.settled(event_id, endpoint))

    assert done.status == "succeeded", done.last_error
    [request] = receiver.requests
    assert request.headers["host"] == f"localhost:{receiver.port}"


def certificates(directory: Path, name: str) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A test authority (trusted by the client) and a certificate for `name` it signed."""

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=directory, check=True, capture_output=True)

    openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=mailslot test authority",
    )
    openssl(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        f"/CN={name}",
    )
    (directory / "ext.cnf").write_text(f"subjectAltName=DNS:{name}\n")
    openssl(
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
    )
    client = ssl.create_default_context(cafile=str(directory / "ca.pem"))
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(directory / "server.pem", directory / "server.key")
    return client, server


def test_retry_delay_follows_the_schedule_with_jitter() -> None:
    settings = make_settings(
        Path("unused"), "sqlite+aiosqlite://", webhook_retry_schedule=[0, 10, 100]
    )
    failed = Outcome(started_at=datetime.now(UTC), latency_ms=1, status_code=500)
    rng = random.Random(7)
    delays = [delivery.retry_delay(settings, 1, failed, rng=rng) for _ in range(200)]
    assert all(d is not None and 9 <= d <= 11 for d in delays)
    assert len(set(delays)) > 100
    assert delivery.retry_delay(settings, 3, failed, rng=rng) is None
    waiting = Outcome(started_at=datetime.now(UTC), latency_ms=1, status_code=503, retry_after=60)
    assert delivery.retry_delay(settings, 1, waiting, rng=rng) == 60
    bounded = Outcome(started_at=datetime.now(UTC), latency_ms=1, status_code=503, retry_after=1e9)
    assert delivery.retry_delay(settings, 1, bounded, rng=rng) == delivery.RETRY_AFTER_MAX


def test_retry_after_reads_seconds_and_dates() -> None:
    now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    assert delivery.parse_retry_after("120", now=now) == 120
    assert delivery.parse_retry_after("Mon, 07 Dec 2026 12:01:30 GMT", now=now) == 90
    assert delivery.parse_retry_after("Mon, 07 Dec 2026 11:00:00 GMT", now=now) == 0
    assert delivery.parse_retry_after("soon", now=now) is None
    assert delivery.parse_retry_after(None, now=now) is None


async def test_the_app_delivers_and_a_commit_wakes_it(hooks_database, tmp_path, dialect) -> None:
    """On PostgreSQL the worker runs in a thread of its own (and its pool), on SQLite on
    the app's loop; the commit's wake-up reaches it either way, and it stops with the app."""
    settings = hooks_database.make_settings(
        tmp_path, **(FAST | {"webhook_worker": True, "webhook_poll_interval": 60})
    )
    app = create_app(settings)
    key = secret()
    before = sys.getswitchinterval()
    with Receiver(secrets=[key]) as receiver:
        async with LifespanManager(app):
            threads = {thread.name for thread in threading.enumerate()}
            assert ("mailslot-webhooks" in threads) == (dialect != "sqlite")
            sessions = app_state(app).sessions
            hooks = Hooks(settings, sessions)
            endpoint = await hooks.endpoint(receiver.url(), secret=key)
            # The worker polled at start and waits 60 s: only the commit's wake-up helps.
            event_id = await hooks.emit()
            done = await wait_for(lambda: hooks.settled(event_id, endpoint), within=30)
            # Beside a thread of its own, the interpreter switches to it sooner.
            switching = sys.getswitchinterval()
            async with sessions() as db:
                await db.execute(delete(WebhookEndpoint))
                await db.execute(delete(WebhookEvent))
                await db.commit()

    assert done.status == "succeeded"
    assert [r.verified_with for r in receiver.requests] == [[key]]
    assert switching == pytest.approx(SWITCH_INTERVAL if dialect != "sqlite" else before)
    assert "mailslot-webhooks" not in {thread.name for thread in threading.enumerate()}
    assert sys.getswitchinterval() == pytest.approx(before)


async def test_a_send_arrives_as_message_created_at_once(hooks_database, tmp_path) -> None:
    settings = hooks_database.make_settings(
        tmp_path, **(FAST | {"webhook_worker": True, "webhook_poll_interval": 60})
    )
    app = create_app(settings)
    key = secret()
    with Receiver(secrets=[key]) as receiver:
        async with (
            LifespanManager(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://t"
            ) as client,
        ):
            hooks = Hooks(settings, app_state(app).sessions)
            await hooks.endpoint(receiver.url(), secret=key, types=("message.created",))
            alice, bob = await make_user(client), await make_user(client)
            # No poll for 60 s: the send's commit wakes the worker (a mailbox change while
            # an endpoint is enabled).
            sent = await send(client, alice, bob, subject="Webhook")
            [request] = await eventually(lambda: receiver.requests, within=30)
            async with hooks.sessions() as db:
                await db.execute(delete(WebhookEndpoint))
                await db.execute(delete(WebhookEvent))
                await db.commit()

    assert request.verified_with == [key]
    assert request.json["type"] == "message.created"
    assert request.json["data"]["user"]["username"] == bob.username
    assert request.json["data"]["message"]["id"] == sent["id"]
    assert request.json["data"]["message"]["subject"] == "Webhook"


class Recorder:
    def __init__(self) -> None:
        self.published: list[Event] = []

    def publish(self, events) -> None:
        self.published.extend(events)


def test_mailbox_commits_wake_the_worker_while_endpoints_are_enabled() -> None:
    worker = Worker(make_settings(Path("unused"), "sqlite+aiosqlite://"), None)  # type: ignore[arg-type]
    recorder = Recorder()
    publisher = worker.waking(recorder)
    change = Event(1, "message.created", 7, {})
    signal = Event(1, SESSION_ENDED, 0)

    worker.subscribed = False
    publisher.publish([change])
    assert not worker._wakeup.is_set()
    worker.subscribed = True
    publisher.publish([signal])
    assert not worker._wakeup.is_set()
    publisher.publish([change])
    assert worker._wakeup.is_set()
    assert recorder.published == [change, signal, change]


async def test_commits_that_keep_waking_it_stop_once_no_endpoint_is_enabled(
    hooks, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker starts as if subscribed (no commit is missed before it first looks); under
    a steady stream of mailbox commits it still looks again every poll interval, and once
    it finds no enabled endpoint the commits no longer make it claim."""
    claims = 0
    claim = delivery.claim

    async def counted(*args: Any, **kwargs: Any) -> delivery.Claimed:
        nonlocal claims
        claims += 1
        return await claim(*args, **kwargs)

    monkeypatch.setattr(delivery, "claim", counted)
    async with hooks(webhook_poll_interval=0.1) as h:
        publisher = h.worker.waking(Recorder())
        change = Event(1, "message.created", 7, {})

        async def commits(seconds: float) -> None:
            for _ in range(int(seconds / 0.01)):
                publisher.publish([change])
                await anyio.sleep(0.01)

        await commits(1.0)  # ten poll intervals of commits, never a quiet one
        assert h.worker.subscribed is False
        before = claims
        await commits(0.5)
        assert claims == before


async def test_a_claim_with_too_little_lease_left_is_given_back_unattempted() -> None:
    settings = make_settings(Path("unused"), "sqlite+aiosqlite://", webhook_lease=60)
    worker = Worker(settings, None)  # type: ignore[arg-type]
    now = datetime.now(UTC)
    event = WebhookEvent(id="msg_x", type="user.created", data={}, created_at=now)
    endpoint = WebhookEndpoint(id=1, url="http://192.0.2.1/hooks", secret=secret())
    # Queued 50 s: 10 s of its lease left, less 5 s to record, is not a whole 15 s attempt.
    late = delivery.Claim(1, 1, "msg_x", 0, now + timedelta(seconds=10))
    assert await worker.attempt(late, event, endpoint) is None


async def test_a_claim_soon_after_the_last_waits_for_more_unless_that_one_was_full(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Under a stream of sends each commit wakes the worker; claims at most every
    `webhook_gather` seconds take many events each instead of one (bench.drain --live: an
    event cost 2.4 ms of CPU claimed alone, 0.7 gathered). A backlog (more due than the
    last claim took) is not held back, nor is the first claim after a quiet spell."""
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(asyncio, "sleep", sleep)  # what _gather awaits, not how long
    settings = make_settings(Path("unused"), "sqlite+aiosqlite://", webhook_gather=0.05)
    worker = Worker(settings, None)  # type: ignore[arg-type]
    await worker._gather()  # the first claim
    worker._claimed_at = time.monotonic() - 2 * settings.webhook_gather
    await worker._gather()  # after a quiet spell
    assert waits == []

    worker._claimed_at = time.monotonic()
    worker._more_due = False  # the last claim took all that was due
    await worker._gather()
    assert len(waits) == 1
    assert 0 < waits[0] <= settings.webhook_gather

    worker._more_due = True
    await worker._gather()
    assert len(waits) == 1
