"""The delivery log of a webhook endpoint: its deliveries newest first, one with its event
and every attempt, redelivering one, and purging the log past MAILSLOT_WEBHOOK_LOG_DAYS.

Retention: a delivery that is finished (succeeded or failed) is purged, with its
attempts, once its event is older than the retention; an event goes with its last
delivery. A pending delivery is kept however old, until it finishes: it is an
acknowledged event still to be sent (an endpoint disabled with deliveries pending keeps
them until it is enabled again, or deleted with them). So the log of an endpoint keeps
at least the last MAILSLOT_WEBHOOK_LOG_DAYS days of events, and everything unfinished.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, delete, exists, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from mailslot.db.engine import Reader
from mailslot.errors import DeliveryNotFound, WebhookDisabled
from mailslot.webhooks import outbox
from mailslot.webhooks.endpoints import Endpoint
from mailslot.webhooks.models import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

FINISHED = ("succeeded", "failed")
SCAN_LIMIT = 2000  # deliveries a filtered page looks at, at most


@dataclass(frozen=True, slots=True)
class LoggedDelivery:
    """A delivery as the log lists it (webhooks.log_schemas.WebhookDeliveryRead)."""

    id: int
    event_id: str
    event_type: str
    event_at: datetime
    status: str
    attempts: int
    next_attempt_at: datetime | None
    claimed_until: datetime | None
    last_attempt_at: datetime | None
    last_status_code: int | None
    last_latency_ms: int | None
    last_response: str | None
    last_error: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class LoggedAttempt:
    number: int
    started_at: datetime
    status_code: int | None
    latency_ms: int
    response: str | None
    error: str | None


@dataclass(frozen=True, slots=True)
class DeliveryDetail:
    delivery: LoggedDelivery
    event_data: dict[str, Any] | None
    attempts: list[LoggedAttempt]


_LOGGED = (
    WebhookDelivery.id,
    WebhookDelivery.event_id,
    WebhookEvent.type,
    WebhookEvent.created_at,
    WebhookDelivery.status,
    WebhookDelivery.attempts,
    WebhookDelivery.next_attempt_at,
    WebhookDelivery.claimed_until,
    WebhookDelivery.last_attempt_at,
    WebhookDelivery.last_status_code,
    WebhookDelivery.last_latency_ms,
    WebhookDelivery.last_response,
    WebhookDelivery.last_error,
    WebhookDelivery.created_at,
)


Position = tuple[datetime, int]  # a delivery's (created_at, id): the log's order


async def list_deliveries(
    db: Reader,
    *,
    endpoint_id: int,
    status: str | None = None,
    event_type: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    below: Position | None = None,
    limit: int,
) -> tuple[list[LoggedDelivery], Position | None]:
    """A page of the endpoint's deliveries newest first, of events made in [`since`,
    `until`), below the position `below`; and the position the next page continues below
    (None at the end).

    The time range is a range of ix_webhook_delivery_endpoint_id_created_at, so a page
    without other filters costs its own rows whatever the log's size. A page filtered by
    `status` or `event_type` looks at SCAN_LIMIT deliveries of that range at most: fewer
    than `limit` may match (none, even) while more follow, and the next position is then
    where it stopped looking. So a rare status costs every page the same, never a walk
    through the whole log."""
    position = tuple_(WebhookDelivery.created_at, WebhookDelivery.id)
    window = [WebhookDelivery.endpoint_id == endpoint_id]
    if since is not None:
        window.append(WebhookDelivery.created_at >= since)
    if until is not None:
        window.append(WebhookDelivery.created_at < until)
    if below is not None:
        window.append(position < below)
    newest_first = (WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
    query = (
        select(*_LOGGED)
        .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
        .order_by(*newest_first)
        .limit(limit + 1)
    )
    filters = []
    if status is not None:
        filters.append(WebhookDelivery.status == status)
    if event_type is not None:
        filters.append(WebhookEvent.type == event_type)
    stop: Position | None = None
    if filters:
        # Where the page stops looking: the SCAN_LIMIT-th delivery of the range (an
        # index-only range scan), so the page's own scan is a bounded range too.
        last = (
            await db.execute(
                select(WebhookDelivery.created_at, WebhookDelivery.id)
                .where(*window)
                .order_by(*newest_first)
                .offset(SCAN_LIMIT - 1)
                .limit(1)
            )
        ).first()
        if last is not None:
            stop = (last[0], last[1])
            window.append(position >= stop)
    rows: list[Any] = list((await db.execute(query.where(*window, *filters))).all())
    page = [LoggedDelivery(*row) for row in rows[:limit]]
    if len(rows) > limit:
        return page, (page[-1].created_at, page[-1].id)
    return page, stop  # a short page: the end of the range, or where it stopped looking


async def get_delivery(db: Reader, *, endpoint_id: int, event_id: str) -> DeliveryDetail:
    """The endpoint's delivery of the event, with the event's data (None until a mailbox
    event is first rendered) and every attempt in order; raises DeliveryNotFound."""
    row: Any = (
        await db.execute(
            select(*_LOGGED, WebhookEvent.data)
            .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
            .where(
                WebhookDelivery.endpoint_id == endpoint_id,
                WebhookDelivery.event_id == event_id,
            )
        )
    ).first()
    if row is None:
        raise DeliveryNotFound(f"This endpoint has no delivery of an event {event_id!r}.")
    delivery = LoggedDelivery(*row[:-1])
    attempts: list[Any] = list(
        (
            await db.execute(
                select(
                    WebhookAttempt.number,
                    WebhookAttempt.started_at,
                    WebhookAttempt.status_code,
                    WebhookAttempt.latency_ms,
                    WebhookAttempt.response,
                    WebhookAttempt.error,
                )
                .where(WebhookAttempt.delivery_id == delivery.id)
                .order_by(WebhookAttempt.number)
            )
        ).all()
    )
    history = [LoggedAttempt(*attempt) for attempt in attempts]
    if delivery.attempts and delivery.last_attempt_at is not None:
        # The latest attempt is on the delivery's row alone (models.WebhookAttempt).
        history.append(
            LoggedAttempt(
                delivery.attempts,
                delivery.last_attempt_at,
                delivery.last_status_code,
                delivery.last_latency_ms or 0,
                delivery.last_response,
                delivery.last_error,
            )
        )
    return DeliveryDetail(delivery, row[-1], history)


async def redeliver(db: AsyncSession, *, endpoint: Endpoint, event_id: str, now: datetime) -> None:
    """Queue one more attempt of the endpoint's delivery of the event, due now, under
    the same event id (the worker signs it with the secrets of the time it sends).
    Raises WebhookDisabled for a disabled endpoint, DeliveryNotFound."""
    if not endpoint.enabled:
        raise WebhookDisabled(
            f"The endpoint {endpoint.public_id} is disabled: enable it to redeliver."
        )
    done = await db.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.endpoint_id == endpoint.id,
            WebhookDelivery.event_id == event_id,
        )
        .values(status="pending", next_attempt_at=now, claimed_until=lease_kept(now))
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise DeliveryNotFound(f"This endpoint has no delivery of an event {event_id!r}.")


def lease_kept(now: datetime) -> Any:
    """`claimed_until` for a delivery made due now: cleared, unless an attempt is in
    flight (its lease not over). Then it is kept: no worker starts another attempt beside
    it, and that attempt, which is being sent now, records its outcome as usual (the
    worker writes only while the lease is the one it set: webhooks/delivery.py)."""
    return case((WebhookDelivery.claimed_until > now, WebhookDelivery.claimed_until), else_=None)


@dataclass(frozen=True, slots=True)
class PurgedLog:
    deliveries: int
    events: int
    after: tuple[datetime, str] | None  # the last event looked at; None when done


async def purge_log(
    db: AsyncSession,
    *,
    before: datetime,
    after: tuple[datetime, str] | None,
    limit: int,
) -> PurgedLog:
    """One batch of the retention purge: of the `limit` oldest events made before
    `before` (after `after`, in (created_at, id) order, on ix_webhook_event_created_at),
    delete the finished deliveries with their attempts, then
    the events left without any delivery. Events whose deliveries are pending stay, and
    the next batch continues after them; so do deliveries whose endpoint is gone."""
    events = select(WebhookEvent.created_at, WebhookEvent.id).where(
        WebhookEvent.created_at < before
    )
    if after is not None:
        events = events.where(
            WebhookEvent.created_at >= after[0],  # where the index range starts
            tuple_(WebhookEvent.created_at, WebhookEvent.id) > after,
        )
    batch = (
        await db.execute(events.order_by(WebhookEvent.created_at, WebhookEvent.id).limit(limit))
    ).all()
    if not batch:
        return PurgedLog(0, 0, None)
    ids = [event_id for _, event_id in batch]
    deliveries = await outbox.delete_deliveries(
        db,
        WebhookDelivery.event_id.in_(ids),
        or_(
            WebhookDelivery.status.in_(FINISHED),
            # A send that raced its endpoint's delete (endpoints.delete_endpoint).
            ~exists().where(WebhookEndpoint.id == WebhookDelivery.endpoint_id),
        ),
    )
    events_gone = await db.execute(
        delete(WebhookEvent)
        .where(
            WebhookEvent.id.in_(ids),
            ~exists().where(WebhookDelivery.event_id == WebhookEvent.id),
        )
        .execution_options(synchronize_session=False)
    )
    last = batch[-1]
    return PurgedLog(
        deliveries,
        events_gone.rowcount,  # type: ignore[attr-defined]
        (last[0], last[1]) if len(batch) == limit else None,
    )
