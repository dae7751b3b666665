"""Webhook tables: endpoints and what they subscribe to, the event outbox, one delivery per
(event, endpoint) and every attempt of it."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from mailslot.db.base import Base, BigId, UTCDateTime

# Every event type an endpoint may subscribe to, and "*" for all of them (a subscription
# row).
EVENT_TYPES: Final = (
    "message.created",  # one per receiver, the message as that receiver sees it
    "message.read",
    "message.unread",
    "message.deleted",
    "user.created",
    "user.updated",
    "user.deactivated",
    "user.reactivated",
    "webhook.endpoint.disabled",
    "report.created",  # a receiver reported a message (safety/reports.py)
    "report.resolved",
)
ALL_EVENTS: Final = "*"


class WebhookEndpoint(Base):
    """Where a host receives events. The secret signs them (Standard Webhooks); during a
    rotation's grace the previous one signs too, until `previous_secret_until`."""

    __tablename__ = "webhook_endpoint"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)  # "ep_..."
    url: Mapped[str] = mapped_column(String(2048))
    description: Mapped[str] = mapped_column(String(500), default="")
    # As the host gave them, sorted; ["*"] for every type. Matching uses the rows of
    # webhook_subscription, which a send's statement joins.
    event_types: Mapped[list[str]] = mapped_column(JSON)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # Why it was disabled by mailslot (410 Gone, failing for days), NULL if by the host.
    disabled_reason: Mapped[str | None] = mapped_column(String(200))
    secret: Mapped[str] = mapped_column(String(100))  # "whsec_" + base64 of 32 bytes
    previous_secret: Mapped[str | None] = mapped_column(String(100))
    previous_secret_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The first failure of the current unbroken run of failures; NULL after a success.
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class WebhookSubscription(Base):
    """One event type (or "*") an endpoint receives, as rows a statement can join."""

    __tablename__ = "webhook_subscription"

    endpoint_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("webhook_endpoint.id", ondelete="CASCADE"), primary_key=True
    )
    event_type: Mapped[str] = mapped_column(String(64), primary_key=True)

    __table_args__ = (Index("ix_webhook_subscription_event_type", "event_type"),)


class WebhookEvent(Base):
    """One event, written in the transaction of its change (the outbox), only when an
    enabled endpoint subscribes to its type. `id` is the Standard Webhooks `webhook-id`,
    the same on every attempt and redelivery. A mailbox event points at its user's
    change-log entry (`user_id`, `seq`) and its `data` is rendered from that entry at its
    first delivery; other events carry their data from the start."""

    __tablename__ = "webhook_event"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # "msg_" + 32 hex
    type: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(BigInteger)
    seq: Mapped[int | None] = mapped_column(BigInteger)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        Index("ix_webhook_event_created_at", "created_at"),
        # Room for a render's new row version on its page (migration 0022).
        {"postgresql_with": {"fillfactor": 50}},
    )


class WebhookDelivery(Base):
    """An event's delivery to one endpoint: pending until an attempt succeeds (2xx) or
    the retry schedule ends (failed). A worker claims it by setting `claimed_until` (a
    lease: an instance killed mid-attempt leaves it to others once the lease ends).

    Its endpoint and event, and an attempt's delivery, are not foreign keys: a key's
    check is a query and a lock per row written, and every send locked the endpoint's
    row (migration 0022). Deleting an endpoint or an event deletes what belongs to it
    (`delete_deliveries`)."""

    __tablename__ = "webhook_delivery"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    endpoint_id: Mapped[int] = mapped_column(BigId)  # webhook_endpoint.id
    event_id: Mapped[str] = mapped_column(String(40))  # webhook_event.id
    status: Mapped[str] = mapped_column(String(16), default="pending")  # succeeded, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_latency_ms: Mapped[int | None] = mapped_column(Integer)
    last_response: Mapped[str | None] = mapped_column(String(1000))  # a snippet
    last_error: Mapped[str | None] = mapped_column(String(500))
    # Its event's created_at (both are written together): the log's time.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        # Also what finds an event's deliveries (its first column).
        UniqueConstraint("event_id", "endpoint_id"),
        # What is due: a range scan over pending deliveries only.
        Index(
            "ix_webhook_delivery_due",
            "next_attempt_at",
            postgresql_where=text("status = 'pending'"),
            sqlite_where=text("status = 'pending'"),
        ),
        # An endpoint's log by time: the log's pages and a replay's range are index ranges
        # (webhooks/log.py).
        Index("ix_webhook_delivery_endpoint_id_created_at", "endpoint_id", "created_at", "id"),
        # Room for a claim's new row version on its page (migration 0022).
        {"postgresql_with": {"fillfactor": 50}},
    )


class WebhookAttempt(Base):
    """One HTTP attempt of a delivery, as the log shows it, but for the latest, which the
    delivery's `last_*` columns hold (a delivery that succeeds at once has no attempt row:
    `delivery.record_many`)."""

    __tablename__ = "webhook_attempt"

    delivery_id: Mapped[int] = mapped_column(BigId, primary_key=True)  # webhook_delivery.id
    number: Mapped[int] = mapped_column(Integer, primary_key=True)  # 1, 2, ...
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status_code: Mapped[int | None] = mapped_column(Integer)  # NULL: no response
    latency_ms: Mapped[int] = mapped_column(Integer)
    response: Mapped[str | None] = mapped_column(String(1000))  # a snippet of the body
    error: Mapped[str | None] = mapped_column(String(500))  # timeout, refused, ...
