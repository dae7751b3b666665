"""The delivery log: listing, showing, redelivering, and its retention."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select

from mailslot.db.base import utcnow
from mailslot.messages import purge
from mailslot.messages.purge import purge_expired
from mailslot.state import app_state
from mailslot.webhooks import log
from mailslot.webhooks.models import WebhookAttempt, WebhookEndpoint
from tests.support.factories import make_server_key
from tests.webhooks.deliveries import (
    add_delivery,
    delivery_row,
    event_exists,
    make_endpoint,
)

pytestmark = pytest.mark.anyio


@pytest.fixture
async def manager(app) -> dict[str, str]:
    key = await make_server_key(app, "webhooks:manage")
    return {"Authorization": f"Bearer {key.key}"}


async def test_pages_list_every_delivery_once_newest_first(app, client, dialect, manager) -> None:
    endpoint = await make_endpoint(app)
    start = utcnow() - timedelta(hours=1)
    made = [await add_delivery(app, endpoint, at=start + timedelta(minutes=i)) for i in range(7)]
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = await client.get(
            f"/server/webhooks/{endpoint.public_id}/deliveries", params=params, headers=manager
        )
        assert page.status_code == 200, page.text
        body = page.json()
        seen += [delivery["event_id"] for delivery in body["deliveries"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == made[::-1]
    assert pages == 3


async def test_filtered_pages_look_at_a_bounded_stretch_and_miss_nothing(
    app, client, dialect, manager, monkeypatch
) -> None:
    monkeypatch.setattr(log, "SCAN_LIMIT", 3)
    endpoint = await make_endpoint(app)
    start = utcnow() - timedelta(hours=1)
    statuses = ["failed", *["succeeded"] * 4, "failed", "failed", *["succeeded"] * 5]
    made = [
        await add_delivery(app, endpoint, at=start + timedelta(minutes=i), status=status)
        for i, status in enumerate(statuses)
    ]
    failed = [
        event_id for event_id, status in zip(made, statuses, strict=True) if status == "failed"
    ]
    seen: list[str] = []
    sizes: list[int] = []
    cursor = None
    while True:
        params = {"status": "failed", "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = await client.get(
            f"/server/webhooks/{endpoint.public_id}/deliveries", params=params, headers=manager
        )
        assert page.status_code == 200, page.text
        body = page.json()
        seen += [delivery["event_id"] for delivery in body["deliveries"]]
        sizes.append(len(body["deliveries"]))
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == failed[::-1]
    assert 0 in sizes  # a stretch of succeeded deliveries only: an empty page, not the end


async def test_an_item_says_how_the_delivery_went(app, client, dialect, manager) -> None:
    endpoint = await make_endpoint(app)
    at = utcnow() - timedelta(minutes=5)
    event_id = await add_delivery(
        app, endpoint, at=at, status="failed", attempts=3, last_error="connection refused"
    )
    pending_id = await add_delivery(app, endpoint, status="pending")
    page = await client.get(f"/server/webhooks/{endpoint.public_id}/deliveries", headers=manager)
    pending, failed = page.json()["deliveries"]
    assert failed["event_id"] == event_id
    assert failed["event_type"] == "user.created"
    assert failed["status"] == "failed"
    assert failed["attempts"] == 3
    assert failed["last_status_code"] == 500
    assert failed["last_latency_ms"] == 12
    assert failed["last_response"] == "ok"
    assert failed["last_error"] == "connection refused"
    assert failed["next_attempt_at"] is None
    assert failed["last_attempt_at"] is not None
    assert pending["event_id"] == pending_id
    assert pending["status"] == "pending"
    assert pending["next_attempt_at"] is not None


async def test_filters_by_status_type_and_event_time(app, client, dialect, manager) -> None:
    endpoint = await make_endpoint(app)
    base = utcnow() - timedelta(hours=2)
    old = await add_delivery(app, endpoint, at=base, status="failed")
    failed = await add_delivery(app, endpoint, at=base + timedelta(minutes=30), status="failed")
    read = await add_delivery(
        app, endpoint, at=base + timedelta(minutes=40), event_type="message.read"
    )
    late = await add_delivery(app, endpoint, at=base + timedelta(minutes=90), status="failed")

    async def listed(**params: str) -> list[str]:
        page = await client.get(
            f"/server/webhooks/{endpoint.public_id}/deliveries", params=params, headers=manager
        )
        assert page.status_code == 200, page.text
        return [delivery["event_id"] for delivery in page.json()["deliveries"]]

    assert await listed(status="failed") == [late, failed, old]
    assert await listed(status="succeeded") == [read]
    assert await listed(status="pending") == []
    assert await listed(event_type="message.read") == [read]
    since = (base + timedelta(minutes=10)).isoformat()
    until = (base + timedelta(minutes=90)).isoformat()
    assert await listed(since=since, until=until) == [read, failed]
    assert await listed(since=since, until=until, status="failed") == [failed]


async def test_bad_queries_are_refused(app, client, dialect, manager) -> None:
    endpoint = await make_endpoint(app)
    url = f"/server/webhooks/{endpoint.public_id}/deliveries"
    for params, status in [
        ({"status": "lost"}, 422),
        ({"event_type": "message.exploded"}, 422),
        ({"limit": "0"}, 422),
        ({"cursor": "not-a-cursor"}, 400),
    ]:
        answer = await client.get(url, params=params, headers=manager)
        assert answer.status_code == status, (params, answer.text)
    missing = await client.get("/server/webhooks/ep_nothing/deliveries", headers=manager)
    assert missing.status_code == 404
    assert missing.json()["code"] == "webhook_not_found"


async def test_a_delivery_shows_its_event_and_every_attempt(app, client, dialect, manager) -> None:
    endpoint = await make_endpoint(app)
    at = utcnow() - timedelta(minutes=1)
    event_id = await add_delivery(
        app, endpoint, at=at, status="succeeded", attempts=2, data={"user": {"id": "u1"}}
    )
    unrendered = await add_delivery(app, endpoint, event_type="message.created", status="pending")
    shown = await client.get(
        f"/server/webhooks/{endpoint.public_id}/deliveries/{event_id}", headers=manager
    )
    assert shown.status_code == 200, shown.text
    body = shown.json()
    assert body["event_id"] == event_id
    assert body["status"] == "succeeded"
    assert body["event"]["type"] == "user.created"
    assert body["event"]["data"] == {"user": {"id": "u1"}}
    assert body["event"]["timestamp"] == body["created_at"]
    assert [
        (attempt["number"], attempt["status_code"], attempt["response"])
        for attempt in body["attempt_history"]
    ] == [(1, 500, "oops"), (2, 200, "ok")]
    pending = await client.get(
        f"/server/webhooks/{endpoint.public_id}/deliveries/{unrendered}", headers=manager
    )
    assert pending.json()["event"]["data"] is None
    assert pending.json()["attempt_history"] == []


async def test_another_endpoints_delivery_is_not_found(app, client, dialect, manager) -> None:
    mine, theirs = await make_endpoint(app), await make_endpoint(app)
    event_id = await add_delivery(app, theirs)
    for method, suffix in [("GET", ""), ("POST", "/redeliver")]:
        answer = await client.request(
            method,
            f"/server/webhooks/{mine.public_id}/deliveries/{event_id}{suffix}",
            headers=manager,
        )
        assert answer.status_code == 404
        assert answer.json()["code"] == "delivery_not_found"
    gone = await client.get("/server/webhooks/ep_nothing/deliveries/msg_x", headers=manager)
    assert gone.json()["code"] == "webhook_not_found"


async def test_redeliver_makes_the_delivery_due_now(app, client, dialect, manager) -> None:
    endpoint = await make_endpoint(app)
    event_id = await add_delivery(app, endpoint, status="failed", attempts=10)
    before = utcnow()
    answer = await client.post(
        f"/server/webhooks/{endpoint.public_id}/deliveries/{event_id}/redeliver", headers=manager
    )
    assert answer.status_code == 202, answer.text
    body = answer.json()
    assert body["event_id"] == event_id
    assert body["status"] == "pending"
    assert body["attempts"] == 10  # the log goes on: the next attempt is the 11th
    row = await delivery_row(app, endpoint, event_id)
    assert row is not None
    # A delivery worker may have taken it since: due now, or attempted after the request.
    if row.attempts == 10:
        assert row.next_attempt_at is not None
        assert before <= row.next_attempt_at <= utcnow()
    else:
        assert row.last_attempt_at is not None
        assert row.last_attempt_at >= before


async def test_redeliver_leaves_an_attempt_in_flight_its_lease(
    app, client, dialect, manager
) -> None:
    endpoint = await make_endpoint(app)
    lease = utcnow() + timedelta(minutes=1)
    event_id = await add_delivery(app, endpoint, status="pending", claimed_until=lease)
    answer = await client.post(
        f"/server/webhooks/{endpoint.public_id}/deliveries/{event_id}/redeliver", headers=manager
    )
    assert answer.status_code == 202
    row = await delivery_row(app, endpoint, event_id)
    assert row is not None
    assert row.claimed_until == lease
    assert row.status == "pending"


async def test_a_disabled_endpoint_is_not_redelivered_to(app, client, dialect, manager) -> None:
    endpoint = await make_endpoint(app, enabled=False)
    event_id = await add_delivery(app, endpoint, status="failed", attempts=1)
    answer = await client.post(
        f"/server/webhooks/{endpoint.public_id}/deliveries/{event_id}/redeliver", headers=manager
    )
    assert answer.status_code == 409
    assert answer.json()["code"] == "webhook_disabled"
    row = await delivery_row(app, endpoint, event_id)
    assert row is not None
    assert row.status == "failed"


async def test_the_purge_keeps_recent_and_pending_deliveries(app, dialect, monkeypatch) -> None:
    monkeypatch.setattr(purge, "BATCH", 2)  # several batches, the first all kept
    sessions = app_state(app).sessions
    one, two = await make_endpoint(app), await make_endpoint(app)
    old = utcnow() - timedelta(days=31)
    # The oldest events are kept (pending): later batches still reach what follows.
    pending = [await add_delivery(app, one, at=old, status="pending") for _ in range(3)]
    purged = [
        await add_delivery(app, one, at=old + timedelta(minutes=1), status=status, attempts=2)
        for status in ("succeeded", "failed", "succeeded")
    ]
    shared = await add_delivery(app, one, at=old + timedelta(minutes=2), status="failed")
    await add_delivery(app, two, event_id=shared, status="pending")
    recent = await add_delivery(app, one, at=utcnow() - timedelta(days=29), attempts=1)

    done = await purge_expired(
        sessions, trash_retention=timedelta(days=30), webhook_log_retention=timedelta(days=30)
    )

    assert "webhook deliveries" in str(done)
    for event_id in purged:
        assert await delivery_row(app, one, event_id) is None
        assert not await event_exists(app, event_id)
    for event_id in [*pending, recent]:
        assert await delivery_row(app, one, event_id) is not None
    # The event stays while another endpoint's delivery of it is pending.
    assert await delivery_row(app, one, shared) is None
    assert await delivery_row(app, two, shared) is not None
    assert await event_exists(app, shared)


async def test_the_purge_takes_what_a_deleted_endpoint_left(app, dialect) -> None:
    # A send that read the endpoint before its delete committed leaves a delivery that
    # nothing claims (endpoints.delete_endpoint): the purge takes it, attempts and all.
    sessions = app_state(app).sessions
    kept, gone = await make_endpoint(app), await make_endpoint(app)
    old = utcnow() - timedelta(days=31)
    stranded = await add_delivery(app, gone, at=old, status="pending", attempts=2)
    waiting = await add_delivery(app, kept, at=old, status="pending")
    stranded_row = await delivery_row(app, gone, stranded)
    assert stranded_row is not None
    async with sessions() as db:  # the endpoint's row alone, as the race leaves it
        await db.execute(delete(WebhookEndpoint).where(WebhookEndpoint.id == gone.id))
        await db.commit()

    await purge_expired(
        sessions, trash_retention=timedelta(days=30), webhook_log_retention=timedelta(days=30)
    )

    assert await delivery_row(app, gone, stranded) is None
    assert not await event_exists(app, stranded)
    async with sessions() as db:
        attempts = await db.scalar(
            select(func.count())
            .select_from(WebhookAttempt)
            .where(WebhookAttempt.delivery_id == stranded_row.id)
        )
    assert attempts == 0
    assert await delivery_row(app, kept, waiting) is not None  # pending: kept


async def test_the_purge_follows_the_setting(app, dialect) -> None:
    sessions = app_state(app).sessions
    endpoint = await make_endpoint(app)
    event_id = await add_delivery(app, endpoint, at=utcnow() - timedelta(days=3))
    await purge_expired(
        sessions, trash_retention=timedelta(days=30), webhook_log_retention=timedelta(days=7)
    )
    assert await delivery_row(app, endpoint, event_id) is not None
    await purge_expired(
        sessions, trash_retention=timedelta(days=30), webhook_log_retention=timedelta(days=2)
    )
    assert await delivery_row(app, endpoint, event_id) is None
