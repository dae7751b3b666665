"""The delivery log's queries and pages, and a replay's request."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field

from mailslot.audit.schemas import DEFAULT_LIMIT, MAX_LIMIT, Limit
from mailslot.messages.schemas import Instant
from mailslot.webhooks.log import DeliveryDetail, LoggedAttempt, LoggedDelivery
from mailslot.webhooks.models import EVENT_TYPES


def _known(event_type: str) -> str:
    if event_type not in EVENT_TYPES:
        raise ValueError("not an event type: one of " + ", ".join(EVENT_TYPES))
    return event_type


EventType = Annotated[
    str,
    Field(
        max_length=64,
        examples=["message.created"],
        json_schema_extra={"enum": list(EVENT_TYPES)},
    ),
    AfterValidator(_known),
]

Status = Literal["pending", "succeeded", "failed"]


class DeliveryQuery(BaseModel):
    """The query of a page of the delivery log, read by deps.query_model."""

    status: Status | None = Field(None, description="Only deliveries in this state.")
    event_type: EventType | None = Field(None, description="Only events of this type.")
    since: Instant | None = Field(None, description="Events made at or after (ISO 8601).")
    until: Instant | None = Field(None, description="Events made before.")
    limit: Limit = Field(DEFAULT_LIMIT, description=f"Deliveries per page, at most {MAX_LIMIT}.")
    cursor: str | None = Field(
        None, max_length=64, description="`next_cursor` of the previous page."
    )


class WebhookDeliveryRead(BaseModel):
    event_id: str = Field(description="The event's `webhook-id`, the same on every attempt.")
    event_type: str
    status: Status = Field(
        description="`pending` until an attempt succeeds (`succeeded`, a 2xx answer) or "
        "the retry schedule ends (`failed`)."
    )
    attempts: int = Field(description="Attempts made so far.")
    created_at: datetime = Field(description="When the event was made.")
    last_attempt_at: datetime | None
    last_status_code: int | None = Field(description="Null: no answer (see `last_error`).")
    last_latency_ms: int | None
    next_attempt_at: datetime | None = Field(description="When pending: the next attempt.")
    last_response: str | None = Field(description="The start of the last answer's body.")
    last_error: str | None = Field(description="Why the last attempt failed, if it did.")

    @classmethod
    def of(cls, delivery: LoggedDelivery) -> WebhookDeliveryRead:
        return cls(
            event_id=delivery.event_id,
            event_type=delivery.event_type,
            status=delivery.status,
            attempts=delivery.attempts,
            created_at=delivery.event_at,
            last_attempt_at=delivery.last_attempt_at,
            last_status_code=delivery.last_status_code,
            last_latency_ms=delivery.last_latency_ms,
            next_attempt_at=delivery.next_attempt_at if delivery.status == "pending" else None,
            last_response=delivery.last_response,
            last_error=delivery.last_error,
        )


class WebhookDeliveryPage(BaseModel):
    deliveries: list[WebhookDeliveryRead] = Field(description="Newest first.")
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


class WebhookAttemptRead(BaseModel):
    number: int = Field(description="1 for the first attempt.")
    started_at: datetime
    status_code: int | None = Field(description="Null: no answer (see `error`).")
    latency_ms: int
    response: str | None = Field(description="The start of the answer's body.")
    error: str | None = Field(description="A timeout, a refused connection, ...")

    @classmethod
    def of(cls, attempt: LoggedAttempt) -> WebhookAttemptRead:
        return cls(
            number=attempt.number,
            started_at=attempt.started_at,
            status_code=attempt.status_code,
            latency_ms=attempt.latency_ms,
            response=attempt.response,
            error=attempt.error,
        )


class WebhookEventBody(BaseModel):
    """The event as its body is sent (Standard Webhooks)."""

    type: str
    timestamp: datetime
    data: dict[str, Any] | None = Field(
        description="Null for a mailbox event not yet rendered: its first attempt renders it."
    )


class WebhookDeliveryDetailRead(WebhookDeliveryRead):
    event: WebhookEventBody
    attempt_history: list[WebhookAttemptRead] = Field(description="Every attempt, oldest first.")

    @classmethod
    def of_detail(cls, detail: DeliveryDetail) -> WebhookDeliveryDetailRead:
        delivery = detail.delivery
        return cls(
            **WebhookDeliveryRead.of(delivery).model_dump(),
            event=WebhookEventBody(
                type=delivery.event_type, timestamp=delivery.event_at, data=detail.event_data
            ),
            attempt_history=[WebhookAttemptRead.of(attempt) for attempt in detail.attempts],
        )


class ReplayCreate(BaseModel):
    since: Instant = Field(description="Events made at or after (ISO 8601).")
    until: Instant = Field(
        description="Events made before; at most MAILSLOT_WEBHOOK_LOG_DAYS after `since`."
    )
    event_types: list[EventType] | None = Field(
        None, max_length=len(EVENT_TYPES), description="Only events of these types."
    )
    only_failed: bool = Field(False, description="Only deliveries that failed.")
