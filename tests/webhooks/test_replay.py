"""Replay jobs: starting one, its progress to the end, resuming after its instance dies,
and the requests refused."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import anyio
import pytest
from sqlalchemy import delete, update

from mailslot.db.base import utcnow
from mailslot.jobs import service as jobs
from mailslot.jobs.models import Job
from mailslot.jobs.service import JobRunner
from mailslot.messages.purge import purge_expired
from mailslot.state import app_state
from mailslot.webhooks import replay
from mailslot.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.support.factories import make_server_key
from tests.webhooks.deliveries import Endpoint, add_delivery, delivery_row, make_endpoint

pytestmark = pytest.mark.anyio

# A kind no serving process runs: the tests drive these jobs themselves.
TEST_KIND = "test.replay"


@pytest.fixture
async def manager(app) -> dict[str, str]:
    key = await make_server_key(app, "webhooks:manage")
    return {"Authorization": f"Bearer {key.key}"}


async def wait_for_job(client, headers: dict[str, str], job_id: str) -> dict[str, Any]:
    """The job once finished (the app's own runner runs it)."""
    with anyio.fail_after(5):
        while True:
            answer = await client.get(f"/server/jobs/{job_id}", headers=headers)
            assert answer.status_code == 200, answer.text
            job: dict[str, Any] = answer.json()
            if job["status"] in ("succeeded", "failed"):
                return job
            await anyio.sleep(0.02)


async def assert_requeued(app, endpoint: Endpoint, event_ids: list[str], since: datetime) -> None:
    """Each delivery is due again: pending and due by now, or already attempted since (a
    delivery worker may have been quicker than the test)."""
    for event_id in event_ids:
        row = await delivery_row(app, endpoint, event_id)
        assert row is not None
        if row.last_attempt_at is not None and row.last_attempt_at >= since:
            continue
        assert row.status == "pending", event_id
        assert row.next_attempt_at is not None
        assert since <= row.next_attempt_at <= utcnow()


async def test_a_replay_requeues_its_range_in_batches(
    app, client, dialect, manager, monkeypatch
) -> None:
    monkeypatch.setattr(replay, "BATCH", 2)
    endpoint = await make_endpoint(app)
    base = utcnow() - timedelta(hours=3)
    before = await add_delivery(app, endpoint, at=base - timedelta(minutes=1), status="failed")
    inside = [
        await add_delivery(app, endpoint, at=base + timedelta(minutes=i), status=status)
        for i, status in enumerate(["succeeded", "failed", "succeeded", "failed", "failed"])
    ]
    after = await add_delivery(app, endpoint, at=base + timedelta(hours=1), status="failed")
    started = utcnow()
    answer = await client.post(
        f"/server/webhooks/{endpoint.public_id}/replay",
        json={
            "since": base.isoformat(),
            "until": (base + timedelta(minutes=30)).isoformat(),
        },
        headers=manager,
    )
    assert answer.status_code == 202, answer.text
    job = answer.json()
    assert job["id"].startswith("job_")
    assert job["kind"] == "webhook.replay"
    assert job["status"] == "queued"
    assert job["params"]["webhook_id"] == endpoint.public_id
    assert job["params"]["only_failed"] is False

    done = await wait_for_job(client, manager, job["id"])
    assert done["status"] == "succeeded", done
    assert (done["done"], done["total"]) == (5, 5)
    assert done["started_at"] is not None
    assert done["finished_at"] is not None
    assert done["error"] is None
    assert set(done["params"]) == {"webhook_id", "since", "until", "event_types", "only_failed"}
    await assert_requeued(app, endpoint, inside, started)
    for untouched in (before, after):
        row = await delivery_row(app, endpoint, untouched)
        assert row is not None
        assert row.status == "failed"


async def test_a_replay_of_failed_deliveries_of_some_types(app, client, dialect, manager) -> None:
    endpoint = await make_endpoint(app)
    base = utcnow() - timedelta(hours=1)
    failed_read = await add_delivery(
        app, endpoint, at=base, event_type="message.read", status="failed"
    )
    ok_read = await add_delivery(app, endpoint, at=base, event_type="message.read")
    failed_user = await add_delivery(app, endpoint, at=base, status="failed")
    started = utcnow()
    answer = await client.post(
        f"/server/webhooks/{endpoint.public_id}/replay",
        json={
            "since": (base - timedelta(minutes=1)).isoformat(),
            "until": utcnow().isoformat(),
            "event_types": ["message.read", "message.deleted"],
            "only_failed": True,
        },
        headers=manager,
    )
    assert answer.status_code == 202, answer.text
    done = await wait_for_job(client, manager, answer.json()["id"])
    assert (done["status"], done["done"], done["total"]) == ("succeeded", 1, 1)
    assert done["params"]["event_types"] == ["message.deleted", "message.read"]
    await assert_requeued(app, endpoint, [failed_read], started)
    for untouched, status in ((ok_read, "succeeded"), (failed_user, "failed")):
        row = await delivery_row(app, endpoint, untouched)
        assert row is not None
        assert row.status == status


async def test_bad_replays_are_refused(app, client, dialect, manager) -> None:
    endpoint = await make_endpoint(app)
    now = utcnow()
    url = f"/server/webhooks/{endpoint.public_id}/replay"
    for body in [
        {"since": now.isoformat(), "until": now.isoformat()},
        {"since": now.isoformat(), "until": (now - timedelta(hours=1)).isoformat()},
        {"since": (now - timedelta(days=31)).isoformat(), "until": now.isoformat()},
        {
            "since": (now - timedelta(hours=1)).isoformat(),
            "until": now.isoformat(),
            "event_types": ["message.exploded"],
        },
        {"until": now.isoformat()},
    ]:
        answer = await client.post(url, json=body, headers=manager)
        assert answer.status_code == 422, (body, answer.text)
    hour = {"since": (now - timedelta(hours=1)).isoformat(), "until": now.isoformat()}
    missing = await client.post("/server/webhooks/ep_nothing/replay", json=hour, headers=manager)
    assert missing.status_code == 404
    assert missing.json()["code"] == "webhook_not_found"
    disabled = await make_endpoint(app, enabled=False)
    refused = await client.post(
        f"/server/webhooks/{disabled.public_id}/replay", json=hour, headers=manager
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "webhook_disabled"


async def test_an_unknown_job_is_not_found(client, dialect, manager) -> None:
    answer = await client.get("/server/jobs/job_nothing", headers=manager)
    assert answer.status_code == 404
    assert answer.json()["code"] == "job_not_found"


async def _test_job(app, endpoint: Endpoint, since: datetime) -> int:
    async with app_state(app).sessions() as db:
        job = await jobs.create_job(
            db,
            kind=TEST_KIND,
            params={
                "webhook_id": endpoint.public_id,
                "since": since.isoformat(),
                "until": utcnow().isoformat(),
                "event_types": None,
                "only_failed": False,
            },
        )
        await db.commit()
        return job.id


async def _job(app, job_id: int) -> Job:
    async with app_state(app).sessions() as db:
        job = await db.get(Job, job_id)
        assert job is not None
        return job


async def test_a_job_whose_instance_died_resumes_where_it_stopped(
    app, dialect, monkeypatch
) -> None:
    monkeypatch.setattr(replay, "BATCH", 2)
    sessions = app_state(app).sessions
    endpoint = await make_endpoint(app)
    base = utcnow() - timedelta(hours=1)
    failed = [
        await add_delivery(app, endpoint, at=base + timedelta(minutes=i), status="failed")
        for i in range(5)
    ]
    job_id = await _test_job(app, endpoint, base)

    # The first instance claims the job, does one step, and dies.
    lease = timedelta(seconds=30)
    async with sessions() as db:
        now = utcnow()
        claimed = await jobs.claim_job(db, kinds=[TEST_KIND], now=now, lease=lease)
        assert claimed is not None
        assert claimed.id == job_id
        await db.commit()
    async with sessions() as db:
        current = await jobs.renew_lease(db, job_id, held=now + lease, now=utcnow(), lease=lease)
        assert current is not None
        assert await replay.replay_step(db, current) is False
        await db.commit()
    # Mark the first batch, to see that nothing of it is re-queued again.
    marker = utcnow() + timedelta(days=3)
    async with sessions() as db:
        await db.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.status == "pending")
            .values(next_attempt_at=marker)
        )
        await db.commit()

    other = JobRunner(sessions, {TEST_KIND: replay.replay_step}, lease=lease)
    assert await other.run_one() is False  # the lease still holds
    async with sessions() as db:
        await db.execute(update(Job).where(Job.id == job_id).values(claimed_until=utcnow() - lease))
        await db.commit()
    assert await other.run_one() is True

    job = await _job(app, job_id)
    assert (job.status, job.done, job.total) == ("succeeded", 5, 5)
    assert job.claimed_until is None
    rows = [await delivery_row(app, endpoint, event_id) for event_id in failed]
    assert [row.next_attempt_at == marker for row in rows if row] == [True] * 2 + [False] * 3


async def test_a_job_fails_when_its_endpoint_is_deleted(app, dialect) -> None:
    sessions = app_state(app).sessions
    endpoint = await make_endpoint(app)
    await add_delivery(app, endpoint, status="failed")
    job_id = await _test_job(app, endpoint, utcnow() - timedelta(hours=1))
    async with sessions() as db:
        await db.execute(delete(WebhookEndpoint).where(WebhookEndpoint.id == endpoint.id))
        await db.commit()
    assert await JobRunner(sessions, {TEST_KIND: replay.replay_step}).run_one() is True
    job = await _job(app, job_id)
    assert job.status == "failed"
    assert job.error is not None
    assert "deleted" in job.error
    assert job.finished_at is not None


async def test_finished_jobs_go_with_the_log(app, dialect) -> None:
    sessions = app_state(app).sessions
    endpoint = await make_endpoint(app)
    old, recent = await _test_job(app, endpoint, utcnow()), await _test_job(app, endpoint, utcnow())
    async with sessions() as db:
        for job_id, age in ((old, 31), (recent, 29)):
            await db.execute(
                update(Job)
                .where(Job.id == job_id)
                .values(status="succeeded", finished_at=utcnow() - timedelta(days=age))
            )
        await db.commit()
    await purge_expired(
        sessions, trash_retention=timedelta(days=30), webhook_log_retention=timedelta(days=30)
    )
    async with sessions() as db:
        assert await db.get(Job, old) is None
        assert await db.get(Job, recent) is not None
