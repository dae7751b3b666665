"""Replaying an endpoint's deliveries of a time range: a job (jobs.service) that makes
them due again, in batches, under their own event ids.

`start_replay` checks the request and queues the job; `replay_step`, run by any
instance's JobRunner, re-queues the next batch in the endpoint's log order (created_at,
id: a range of ix_webhook_delivery_endpoint_id_created_at) and records, in the same
transaction, how far it got (`done`, and `_after`, the position of the last delivery
re-queued), so a job resumed on another instance re-queues nothing twice. The range ends
at the request's time at most, so the set a job walks is fixed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from mailslot.db.base import utcnow
from mailslot.errors import Unprocessable, WebhookDisabled
from mailslot.jobs import service as jobs
from mailslot.jobs.models import Job
from mailslot.jobs.service import JobFailed
from mailslot.webhooks.endpoints import Endpoint
from mailslot.webhooks.log import lease_kept
from mailslot.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent

KIND = "webhook.replay"
BATCH = 500  # deliveries re-queued per transaction


async def start_replay(
    db: AsyncSession,
    *,
    endpoint: Endpoint,
    since: datetime,
    until: datetime,
    event_types: list[str] | None,
    only_failed: bool,
    max_range: timedelta,
) -> Job:
    """Queue a replay job of the endpoint's deliveries of events made in [since, until)
    (`until` is at most now), of `event_types` if given, only the failed ones if
    `only_failed`. Raises WebhookDisabled, and Unprocessable for an empty range or one
    longer than `max_range` (the log keeps no more)."""
    if not endpoint.enabled:
        raise WebhookDisabled(
            f"The endpoint {endpoint.public_id} is disabled: enable it to replay."
        )
    if since >= until:
        raise Unprocessable(
            "`since` must be before `until`.",
            errors=[{"pointer": "/body/until", "detail": "not after since"}],
        )
    if until - since > max_range:
        raise Unprocessable(
            f"A replay covers at most {max_range.days} days (MAILSLOT_WEBHOOK_LOG_DAYS).",
            errors=[{"pointer": "/body/until", "detail": "too far after since"}],
        )
    params = {
        "webhook_id": endpoint.public_id,
        "since": since.isoformat(),
        "until": min(until, utcnow()).isoformat(),
        "event_types": sorted(set(event_types)) if event_types else None,
        "only_failed": only_failed,
    }
    return await jobs.create_job(db, kind=KIND, params=params)


def _selection(endpoint_id: int, params: dict[str, Any]) -> list[Any]:
    conditions = [
        WebhookDelivery.endpoint_id == endpoint_id,
        WebhookDelivery.created_at >= datetime.fromisoformat(params["since"]),
        WebhookDelivery.created_at < datetime.fromisoformat(params["until"]),
    ]
    if params.get("only_failed"):
        conditions.append(WebhookDelivery.status == "failed")
    if params.get("event_types"):
        conditions.append(
            WebhookDelivery.event_id.in_(
                select(WebhookEvent.id).where(
                    WebhookEvent.id == WebhookDelivery.event_id,
                    WebhookEvent.type.in_(params["event_types"]),
                )
            )
        )
    return conditions


async def replay_step(db: AsyncSession, job: Job) -> bool:
    """Re-queue the next batch of the job's deliveries; True when none is left. The first
    step counts them (`total`)."""
    params = dict(job.params)
    endpoint_id = await db.scalar(
        select(WebhookEndpoint.id).where(WebhookEndpoint.public_id == params["webhook_id"])
    )
    if endpoint_id is None:
        raise JobFailed(f"The endpoint {params['webhook_id']} was deleted.")
    selection = _selection(endpoint_id, params)
    if job.total is None:
        job.total = await db.scalar(
            select(func.count()).select_from(WebhookDelivery).where(*selection)
        )
    position = tuple_(WebhookDelivery.created_at, WebhookDelivery.id)
    if "_after" in params:
        at, delivery_id = params["_after"]
        selection.append(position > (datetime.fromisoformat(at), delivery_id))
    batch = (
        await db.execute(
            select(WebhookDelivery.id, WebhookDelivery.created_at)
            .where(*selection)
            .order_by(WebhookDelivery.created_at, WebhookDelivery.id)
            .limit(BATCH)
        )
    ).all()
    if batch:
        now = utcnow()
        await db.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id.in_([row.id for row in batch]))
            .values(status="pending", next_attempt_at=now, claimed_until=lease_kept(now))
            .execution_options(synchronize_session=False)
        )
        job.done += len(batch)
        last = batch[-1]
        job.params = {**params, "_after": [last.created_at.isoformat(), last.id]}
    if len(batch) < BATCH:
        job.total = job.done  # what changed state since the count is not counted twice
        return True
    return False
