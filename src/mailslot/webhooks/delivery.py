"""The delivery worker's statements: claim what is due under a lease, and record each
attempt's outcome (the delivery's last_* columns, the attempt before it as a row of its
own, the endpoint's run of failures, and disabling it).

A claim is the lease `claimed_until`, written by one UPDATE whose subquery takes the due
rows `FOR UPDATE SKIP LOCKED` on PostgreSQL (SQLite has one writer at a time): instances
share the work and never run the same attempt twice at once. The lease's own value is
the claim's token: an outcome is recorded only while the delivery still carries it, so
an attempt whose lease ran out (and was claimed again elsewhere) writes nothing.

Deliveries of a disabled endpoint stay pending and are not claimed (parked): enabling
the endpoint again resumes them where they were, due at once."""

from __future__ import annotations

import email.utils
import random
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, cast

from sqlalchemy import (
    BigInteger,
    DateTime,
    Integer,
    String,
    Table,
    bindparam,
    case,
    exists,
    func,
    insert,
    literal,
    literal_column,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnClause

from mailslot.config import Settings
from mailslot.db.base import UTCDateTime
from mailslot.db.engine import dialect_name
from mailslot.webhooks import outbox
from mailslot.webhooks.models import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

SNIPPET_CHARS: Final = 1000  # of the response body, in the log
ERROR_CHARS: Final = 500
JITTER: Final = 0.1  # each delay is drawn within ±10%: retries of one outage spread out
RETRY_AFTER_MAX: Final = 86_400.0  # seconds: a Retry-After never parks a delivery longer
# The tables themselves: the worker's statements are Core, without the ORM's bulk
# UPDATE machinery (a third of the CPU of recording an outcome went there).
_DELIVERY: Final = cast(Table, WebhookDelivery.__table__)
_ATTEMPT: Final = cast(Table, WebhookAttempt.__table__)
_ENDPOINT: Final = cast(Table, WebhookEndpoint.__table__)
SCAN_FACTOR: Final = 2  # due rows a claim locks and ranks, per row it may claim
PENDING: Final[ColumnClause[str]] = literal_column(
    "'pending'"
)  # a literal: the partial index's predicate
DISABLED_BY_GONE: Final = "The endpoint answered 410 Gone."


@dataclass(frozen=True, slots=True)
class Claim:
    """A due delivery this worker holds until `token` (its lease)."""

    id: int
    endpoint_id: int
    event_id: str
    attempts: int  # before this attempt
    token: datetime


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one attempt came to. `status_code` None: no response (`error` says why)."""

    started_at: datetime
    latency_ms: int
    status_code: int | None = None
    response: str | None = None
    error: str | None = None
    retry_after: float | None = None  # seconds, from the response's Retry-After

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def gone(self) -> bool:
        return self.status_code == 410


def _claim_statement(*, leaving_out: bool, postgres: bool) -> Any:
    """The claim's UPDATE (see `claim`), built once: composing it per claim was a third
    of a claim's CPU. Bound: now, token, scan, per_endpoint, fast, per_fast_endpoint,
    limit (and busy). On PostgreSQL it reads what it claims too (`_claim_loading`)."""
    d = WebhookDelivery
    now = bindparam("now", type_=UTCDateTime())
    head = (
        select(d.id, d.endpoint_id, d.next_attempt_at)
        .where(
            d.status == PENDING,
            d.next_attempt_at <= now,
            (d.claimed_until.is_(None)) | (d.claimed_until < now),
            exists().where(WebhookEndpoint.id == d.endpoint_id, WebhookEndpoint.enabled),
        )
        .order_by(d.next_attempt_at)
        .limit(bindparam("scan", type_=Integer()))
        .with_for_update(skip_locked=True)  # nothing on SQLite: one writer at a time
    )
    if leaving_out:
        head = head.where(d.endpoint_id.not_in(bindparam("busy", expanding=True)))
    head_rows = head.subquery("head")
    ranked = select(
        head_rows.c.id,
        head_rows.c.next_attempt_at,
        func.row_number()
        .over(partition_by=head_rows.c.endpoint_id, order_by=head_rows.c.next_attempt_at)
        .label("rank"),
        case(
            (
                head_rows.c.endpoint_id.in_(bindparam("fast", expanding=True)),
                bindparam("per_fast_endpoint", type_=Integer()),
            ),
            else_=bindparam("per_endpoint", type_=Integer()),
        ).label("cap"),
    ).subquery("ranked")
    chosen = (
        select(ranked.c.id)
        .where(ranked.c.rank <= ranked.c.cap)
        .order_by(ranked.c.next_attempt_at)
        .limit(bindparam("limit", type_=Integer()))
    )
    t = _DELIVERY.c
    claim = (
        update(_DELIVERY)
        .where(t.id.in_(chosen.scalar_subquery()))
        .values(claimed_until=bindparam("token", type_=UTCDateTime()))
        .returning(t.id, t.endpoint_id, t.event_id, t.attempts)
    )
    return _claim_loading(claim) if postgres else claim


def _claim_loading(claim: Any) -> Any:
    """PostgreSQL: the claim's UPDATE as a CTE, read with each claimed delivery's event
    and endpoint, in one statement: under the send load each of a claim transaction's
    round trips waited its turn for both cores (a claim took 33 ms at p50), and the two
    reads of them were two of its seven."""
    claimed = claim.cte("claimed")
    return (
        select(
            claimed.c.id,
            claimed.c.endpoint_id,
            claimed.c.event_id,
            claimed.c.attempts,
            WebhookEvent,
            WebhookEndpoint,
        )
        .select_from(claimed)
        .outerjoin(WebhookEvent, WebhookEvent.id == claimed.c.event_id)
        .outerjoin(WebhookEndpoint, WebhookEndpoint.id == claimed.c.endpoint_id)
    )


# By (leaving some endpoints out, PostgreSQL).
_CLAIMS: Final = {
    (leaving_out, postgres): _claim_statement(leaving_out=leaving_out, postgres=postgres)
    for leaving_out in (False, True)
    for postgres in (False, True)
}


@dataclass(frozen=True, slots=True)
class Claimed:
    """What a claim took: the claims, and their events and endpoints by id (a delivery's
    event or endpoint deleted since it was queued is missing)."""

    claims: list[Claim]
    events: dict[str, WebhookEvent]
    endpoints: dict[int, WebhookEndpoint]


async def claim(
    db: AsyncSession,
    *,
    now: datetime,
    lease: float,
    limit: int,
    per_endpoint: int,
    busy: Collection[int] = (),
    fast: Collection[int] = (),
    per_fast_endpoint: int = 0,
) -> Claimed:
    """Claim up to `limit` due deliveries of enabled endpoints, oldest due first, at most
    `per_endpoint` of any one endpoint (`per_fast_endpoint` of those in `fast`), none of
    those in `busy` (this worker holds enough of theirs).

    The first due rows (SCAN_FACTOR times `limit`) are locked, skipping those another
    worker is claiming right now, and ranked per endpoint: so two workers share even a
    single endpoint's backlog, and a worker never claims what it cannot soon attempt
    (each claimed row is an UPDATE: a write, and on PostgreSQL a new row version).
    The claimed deliveries' events and endpoints come with them."""
    token = now + timedelta(seconds=lease)
    params: dict[str, Any] = {
        "now": now,
        "token": token,
        "scan": limit * SCAN_FACTOR,
        "per_endpoint": per_endpoint,
        "fast": list(fast),
        "per_fast_endpoint": per_fast_endpoint,
        "limit": limit,
    }
    if busy:
        params["busy"] = list(busy)
    postgres = dialect_name(db) == "postgresql"
    rows = (await db.execute(_CLAIMS[bool(busy), postgres], params)).all()
    claims = [Claim(row.id, row.endpoint_id, row.event_id, row.attempts, token) for row in rows]
    if not postgres:
        return Claimed(claims, *await _load(db, claims)) if claims else Claimed([], {}, {})
    events = {row[4].id: row[4] for row in rows if row[4] is not None}
    endpoints = {row[5].id: row[5] for row in rows if row[5] is not None}
    return Claimed(claims, events, endpoints)


async def release(db: AsyncSession, claims: Sequence[Claim]) -> None:
    """Give claims back unattempted (the worker stops, or a claim's lease has too little
    left for an attempt): due again at once, for any worker."""
    by_token: dict[datetime, list[int]] = {}
    for held in claims:
        by_token.setdefault(held.token, []).append(held.id)
    for token, ids in by_token.items():
        await db.execute(
            update(_DELIVERY)
            .where(_DELIVERY.c.id.in_(ids), _DELIVERY.c.claimed_until == token)
            .values(claimed_until=None)
        )


# SQLite: what `claim` took is read after it (no UPDATE in a CTE there).
_EVENTS_BY_ID: Final = select(WebhookEvent).where(
    WebhookEvent.id.in_(bindparam("ids", expanding=True))
)
_ENDPOINTS_BY_ID: Final = select(WebhookEndpoint).where(
    WebhookEndpoint.id.in_(bindparam("ids", expanding=True))
)


async def _load(
    db: AsyncSession, claims: Sequence[Claim]
) -> tuple[dict[str, WebhookEvent], dict[int, WebhookEndpoint]]:
    """The claimed deliveries' events and endpoints, by id."""
    event_ids = list({held.event_id for held in claims})
    endpoint_ids = list({held.endpoint_id for held in claims})
    events = (await db.scalars(_EVENTS_BY_ID, {"ids": event_ids})).all()
    endpoints = (await db.scalars(_ENDPOINTS_BY_ID, {"ids": endpoint_ids})).all()
    return {event.id: event for event in events}, {ep.id: ep for ep in endpoints}


async def any_endpoint(db: AsyncSession) -> bool:
    """Whether some endpoint is enabled (so commits that change mailboxes may have queued
    deliveries)."""
    return bool(await db.scalar(select(exists().where(WebhookEndpoint.enabled))))


# Built once: composing a statement per outcome was a third of the worker's CPU.
_RECORD: Final = (
    update(_DELIVERY)
    .where(
        _DELIVERY.c.id == bindparam("held_id"),
        _DELIVERY.c.claimed_until == bindparam("token"),
    )
    .values(
        status=bindparam("new_status"),
        attempts=bindparam("number"),
        claimed_until=None,
        next_attempt_at=bindparam("next_at"),
        last_attempt_at=bindparam("started_at"),
        last_status_code=bindparam("status_code"),
        last_latency_ms=bindparam("latency_ms"),
        last_response=bindparam("response"),
        last_error=bindparam("error"),
    )
    .returning(_DELIVERY.c.id)
)
# A retry's claim first moves the delivery's last attempt to an attempt row of its own
# (webhook_attempt keeps all but the latest: migration 0023), while the claim is ours.
# On PostgreSQL the row is locked as it is read: no claim by another worker (of a lease
# run out) can come between the move and the UPDATE that records (SQLite has one writer).
_MOVE_LAST: Final = insert(_ATTEMPT).from_select(
    ["delivery_id", "number", "started_at", "status_code", "latency_ms", "response", "error"],
    select(
        _DELIVERY.c.id,
        _DELIVERY.c.attempts,
        _DELIVERY.c.last_attempt_at,
        _DELIVERY.c.last_status_code,
        _DELIVERY.c.last_latency_ms,
        _DELIVERY.c.last_response,
        _DELIVERY.c.last_error,
    )
    .where(
        _DELIVERY.c.id == bindparam("held_id"),
        _DELIVERY.c.claimed_until == bindparam("token"),
        _DELIVERY.c.attempts > 0,
    )
    .with_for_update(),
)


# PostgreSQL: a batch of outcomes in one statement (one round trip, one plan) rather
# than one UPDATE each: the delivery rows still claimed by their token, from arrays.
_RECORD_MANY: Final = text(
    """
    UPDATE webhook_delivery AS d
    SET status = v.status, attempts = v.number, claimed_until = NULL,
        next_attempt_at = v.next_at, last_attempt_at = v.started_at,
        last_status_code = v.status_code, last_latency_ms = v.latency_ms,
        last_response = v.response, last_error = v.error
    FROM unnest(:ids, :tokens, :statuses, :numbers, :next_ats, :started_ats, :status_codes,
                :latencies, :responses, :errors)
         AS v(id, token, status, number, next_at, started_at, status_code, latency_ms,
              response, error)
    WHERE d.id = v.id AND d.claimed_until = v.token
    RETURNING d.id
    """
).bindparams(
    bindparam("ids", type_=ARRAY(BigInteger)),
    bindparam("tokens", type_=ARRAY(DateTime(timezone=True))),
    bindparam("statuses", type_=ARRAY(String)),
    bindparam("numbers", type_=ARRAY(Integer)),
    bindparam("next_ats", type_=ARRAY(DateTime(timezone=True))),
    bindparam("started_ats", type_=ARRAY(DateTime(timezone=True))),
    bindparam("status_codes", type_=ARRAY(Integer)),
    bindparam("latencies", type_=ARRAY(Integer)),
    bindparam("responses", type_=ARRAY(String)),
    bindparam("errors", type_=ARRAY(String)),
)


@dataclass(frozen=True, slots=True)
class Attempted:
    """An attempt to record (`record_many`): the claim it ran under, what it came to, and
    whether its endpoint had a run of failures when it began."""

    held: Claim
    outcome: Outcome
    failing: bool = True


async def record(
    db: AsyncSession,
    held: Claim,
    outcome: Outcome,
    *,
    settings: Settings,
    now: datetime,
    failing: bool = True,
    rng: random.Random | None = None,
) -> bool:
    """Write an attempt's outcome while the claim is still ours (False: it was not, and
    nothing is written). 2xx: succeeded, and the endpoint's run of failures ends. Else a
    retry from the schedule (or failed after its last step); 410 disables the endpoint at
    once, and so does failing for `webhook_disable_after` running: either emits
    `webhook.endpoint.disabled` to its other endpoints. `failing` False: the endpoint
    had no run of failures to end when the attempt began (a statement saved)."""
    [written] = await record_many(
        db, [Attempted(held, outcome, failing)], settings=settings, now=now, rng=rng
    )
    return written


async def record_many(
    db: AsyncSession,
    attempted: Sequence[Attempted],
    *,
    settings: Settings,
    now: datetime,
    rng: random.Random | None = None,
) -> list[bool]:
    """`record` for each attempt, in order, with one UPDATE of the deliveries (PostgreSQL)
    for them all; whether each was written. An attempt is written to its delivery's
    `last_*` columns; a retry first moves the attempt before it to an attempt row."""
    rows: list[dict[str, Any]] = []
    for item in attempted:
        held, outcome = item.held, item.outcome
        number = held.attempts + 1
        status, next_at = "succeeded", None
        if not outcome.succeeded:
            delay = None if outcome.gone else retry_delay(settings, number, outcome, rng=rng)
            if delay is None:
                status = "failed"
            else:
                status, next_at = "pending", now + timedelta(seconds=delay)
        rows.append(
            {
                "held_id": held.id,
                "token": held.token,
                "new_status": status,
                "number": number,
                "next_at": next_at,
                "started_at": outcome.started_at,
                "status_code": outcome.status_code,
                "latency_ms": outcome.latency_ms,
                "response": outcome.response,
                "error": outcome.error,
            }
        )
    retries = [
        {"held_id": item.held.id, "token": item.held.token}
        for item in attempted
        if item.held.attempts
    ]
    if retries:
        await db.execute(_MOVE_LAST, retries)
    if len(rows) > 1 and dialect_name(db) == "postgresql":
        result = await db.execute(
            _RECORD_MANY,
            {
                "ids": [row["held_id"] for row in rows],
                "tokens": [row["token"] for row in rows],
                "statuses": [row["new_status"] for row in rows],
                "numbers": [row["number"] for row in rows],
                "next_ats": [row["next_at"] for row in rows],
                "started_ats": [row["started_at"] for row in rows],
                "status_codes": [row["status_code"] for row in rows],
                "latencies": [row["latency_ms"] for row in rows],
                "responses": [row["response"] for row in rows],
                "errors": [row["error"] for row in rows],
            },
        )
        matched = set(result.scalars())
        written = [row["held_id"] in matched for row in rows]
    else:
        written = [(await db.execute(_RECORD, row)).first() is not None for row in rows]
    for item, ok in zip(attempted, written, strict=True):
        if ok:
            await _follow_up(db, item, settings=settings, now=now)
    return written


async def _follow_up(
    db: AsyncSession, item: Attempted, *, settings: Settings, now: datetime
) -> None:
    """What a recorded outcome does to its endpoint: a success ends its run of failures;
    410 disables it; a failure starts or extends the run, and disables it after
    `webhook_disable_after`."""
    held, outcome = item.held, item.outcome
    endpoint = _ENDPOINT.c
    if outcome.succeeded:
        if not item.failing:
            return
        await db.execute(
            update(_ENDPOINT)
            .where(endpoint.id == held.endpoint_id, endpoint.failing_since.is_not(None))
            .values(failing_since=None)
        )
        return
    if outcome.gone:
        await disable(db, held.endpoint_id, reason=DISABLED_BY_GONE, now=now)
        return
    since = await db.scalar(
        update(_ENDPOINT)
        .where(endpoint.id == held.endpoint_id)
        .values(failing_since=func.coalesce(endpoint.failing_since, literal(now, UTCDateTime())))
        .returning(endpoint.failing_since)
    )
    if since is not None and (now - since).total_seconds() >= settings.webhook_disable_after:
        await disable(
            db,
            held.endpoint_id,
            reason=f"Every delivery failed for {_duration(settings.webhook_disable_after)} running.",
            now=now,
        )


async def disable(db: AsyncSession, endpoint_id: int, *, reason: str, now: datetime) -> bool:
    """Disable an enabled endpoint and tell its other endpoints (`webhook.endpoint.disabled`);
    False if it was disabled already (by another attempt, instance or the host)."""
    endpoint = _ENDPOINT.c
    row = (
        await db.execute(
            update(_ENDPOINT)
            .where(endpoint.id == endpoint_id, endpoint.enabled)
            # failing_since cleared: enabled again, an endpoint starts a new run (else
            # its first failure would disable it at once).
            .values(enabled=False, disabled_reason=reason, failing_since=None, updated_at=now)
            .returning(endpoint.public_id, endpoint.url, endpoint.description)
        )
    ).first()
    if row is None:
        return False
    await outbox.emit(
        db,
        "webhook.endpoint.disabled",
        {
            "endpoint": {"id": row.public_id, "url": row.url, "description": row.description},
            "reason": reason,
            "disabled_at": now.isoformat().replace("+00:00", "Z"),
        },
        excluding_endpoint=endpoint_id,
    )
    return True


def _duration(seconds: float) -> str:
    if seconds >= 86_400:
        return f"{seconds / 86_400:g} days"
    if seconds >= 3600:
        return f"{seconds / 3600:g} hours"
    return f"{seconds:g} s"


def retry_delay(
    settings: Settings, attempts: int, outcome: Outcome, *, rng: random.Random | None = None
) -> float | None:
    """Seconds until the next attempt after `attempts` failed ones, None after the
    schedule's last: the schedule's step drawn within ±10%, and never sooner than the
    receiver's Retry-After (itself at most a day)."""
    schedule = settings.webhook_retry_schedule
    if attempts >= len(schedule):
        return None
    step = schedule[attempts] * (1 + (rng or random).uniform(-JITTER, JITTER))
    if outcome.retry_after is not None:
        step = max(step, min(outcome.retry_after, RETRY_AFTER_MAX))
    return max(step, 0.0)


def parse_retry_after(value: str | None, *, now: datetime) -> float | None:
    """Retry-After as seconds from now (RFC 9110 §10.2.3: delay-seconds or an HTTP-date),
    None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max((when - now).total_seconds(), 0.0)
