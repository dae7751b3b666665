"""An endpoint's delivery log under the server API (`webhooks:manage`): list and show
deliveries, redeliver one, replay a time range as a job (`GET /server/jobs/{job_id}`)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Path

from mailslot.db.base import utcnow
from mailslot.deps import AppSettings, Reads, Sessions, State, query_model, query_parameters
from mailslot.errors import InvalidParameter
from mailslot.jobs.schemas import JobRead
from mailslot.openapi import JSON_BODY, problems
from mailslot.serverapi.deps import WebhooksManager
from mailslot.webhooks import endpoints, log, replay
from mailslot.webhooks.cursor import decode_position, encode_position
from mailslot.webhooks.log_schemas import (
    DeliveryQuery,
    ReplayCreate,
    WebhookDeliveryDetailRead,
    WebhookDeliveryPage,
    WebhookDeliveryRead,
)

router = APIRouter(tags=["server"], responses=problems(401, 403, 429, 503))

PathWebhookId = Annotated[str, Path(max_length=32, description="The endpoint's id, `ep_...`.")]
PathEventId = Annotated[
    str, Path(max_length=40, description="The event's id (`webhook-id`), `msg_...`.")
]


@router.get(
    "/server/webhooks/{webhook_id}/deliveries",
    responses=problems(400, 404, 422),
    openapi_extra=query_parameters(DeliveryQuery),
)
async def list_server_webhook_deliveries(
    webhook_id: PathWebhookId,
    key: WebhooksManager,
    reads: Reads,
    query: Annotated[DeliveryQuery, Depends(query_model(DeliveryQuery))],
) -> WebhookDeliveryPage:
    """The endpoint's deliveries, newest first: of one `status`, one `event_type`, and
    events made in [`since`, `until`), as asked. Kept MAILSLOT_WEBHOOK_LOG_DAYS days (30
    by default), and while pending. A page filtered by `status` or `event_type` may hold
    fewer than `limit` deliveries, none even, while `next_cursor` says more may follow:
    each page looks at a bounded stretch of the log. 404 `webhook_not_found`."""
    below = None
    if query.cursor is not None:
        try:
            below = decode_position(query.cursor)
        except ValueError:
            raise InvalidParameter("The cursor is not one this service gave out.") from None
    async with reads.connect() as db:
        endpoint_id = (await endpoints.get_endpoint(db, webhook_id)).id
        deliveries, following = await log.list_deliveries(
            db,
            endpoint_id=endpoint_id,
            status=query.status,
            event_type=query.event_type,
            since=query.since,
            until=query.until,
            below=below,
            limit=query.limit,
        )
    return WebhookDeliveryPage(
        deliveries=[WebhookDeliveryRead.of(delivery) for delivery in deliveries],
        next_cursor=encode_position(*following) if following else None,
    )


@router.get("/server/webhooks/{webhook_id}/deliveries/{event_id}", responses=problems(404, 422))
async def get_server_webhook_delivery(
    webhook_id: PathWebhookId, event_id: PathEventId, key: WebhooksManager, reads: Reads
) -> WebhookDeliveryDetailRead:
    """The endpoint's delivery of one event: the event's body (`data` is null for a
    mailbox event not yet sent: its first attempt renders it) and every attempt. 404
    `webhook_not_found`, `delivery_not_found`."""
    async with reads.connect() as db:
        endpoint_id = (await endpoints.get_endpoint(db, webhook_id)).id
        detail = await log.get_delivery(db, endpoint_id=endpoint_id, event_id=event_id)
    return WebhookDeliveryDetailRead.of_detail(detail)


@router.post(
    "/server/webhooks/{webhook_id}/deliveries/{event_id}/redeliver",
    status_code=202,
    responses=problems(404, 409, 422),
)
async def redeliver_server_webhook_delivery(
    webhook_id: PathWebhookId, event_id: PathEventId, key: WebhooksManager, sessions: Sessions
) -> WebhookDeliveryRead:
    """Send the event to the endpoint once more, now, whatever became of it: the
    delivery is `pending` again, with the same `webhook-id`, signed with the endpoint's
    secrets of the time it is sent; a failure goes on with the retry schedule where it
    stopped. An attempt in flight at that moment is the redelivery (no second one starts
    beside it). 409 `webhook_disabled` for a disabled endpoint; 404 `webhook_not_found`,
    `delivery_not_found`."""
    async with sessions() as db:
        endpoint = await endpoints.get_endpoint(db, webhook_id)
        await log.redeliver(db, endpoint=endpoint, event_id=event_id, now=utcnow())
        await db.commit()
        detail = await log.get_delivery(db, endpoint_id=endpoint.id, event_id=event_id)
    return WebhookDeliveryRead.of(detail.delivery)


@router.post(
    "/server/webhooks/{webhook_id}/replay",
    status_code=202,
    responses=problems(404, 409, *JSON_BODY),
)
async def post_server_webhook_replay(
    webhook_id: PathWebhookId,
    body: ReplayCreate,
    key: WebhooksManager,
    sessions: Sessions,
    settings: AppSettings,
    state: State,
) -> JobRead:
    """Send again the endpoint's deliveries of events made in [`since`, `until`) (at
    most MAILSLOT_WEBHOOK_LOG_DAYS days; `until` stops at now), of `event_types` if
    given, only those that failed if `only_failed`: a job, run in the background, that
    makes them `pending` and due now, under their own `webhook-id`s. Follow it with
    `GET /server/jobs/{id}`. 409 `webhook_disabled`; 422 for an empty or too long range,
    or an unknown event type; 404 `webhook_not_found`."""
    async with sessions() as db:
        endpoint = await endpoints.get_endpoint(db, webhook_id)
        job = await replay.start_replay(
            db,
            endpoint=endpoint,
            since=body.since,
            until=body.until,
            event_types=body.event_types,
            only_failed=body.only_failed,
            max_range=timedelta(days=settings.webhook_log_days),
        )
        await db.commit()
        read = JobRead.of(job)
    state.jobs.wake()
    return read
