"""The host's webhook endpoints: create, list, show, update, delete, rotate the secret.

An endpoint's `event_types` and its webhook_subscription rows (what a send's statement
joins) change together, in the caller's transaction. A URL is checked (targets.check:
public addresses only, unless allowed) before anything is written or locked. What these
functions return is an `Endpoint`, which has no secret: a secret leaves this module only
from `create_endpoint` and `rotate_secret`, the two answers that show it, and through
`signing_secrets`, which the delivery worker signs with.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from mailslot.db.base import utcnow
from mailslot.db.engine import Reader
from mailslot.errors import WebhookNotFound
from mailslot.webhooks import outbox, signing, targets
from mailslot.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookSubscription

MAX_DESCRIPTION = 500
DEFAULT_GRACE_SECONDS = 86_400
MAX_GRACE_SECONDS = 7 * 86_400
_PUBLIC_ID = re.compile(r"^ep_[0-9a-f]{24}$")


def new_endpoint_id() -> str:
    return "ep_" + secrets.token_hex(12)


@dataclass(frozen=True, slots=True)
class Endpoint:
    """An endpoint as the API shows it, never with a secret."""

    id: int
    public_id: str
    url: str
    description: str
    event_types: list[str]
    enabled: bool
    disabled_reason: str | None
    failing_since: datetime | None
    previous_secret_expires_at: datetime | None
    created_at: datetime
    updated_at: datetime


# The columns an Endpoint is made of: the secrets are never read for one.
_SHOWN = (
    WebhookEndpoint.id,
    WebhookEndpoint.public_id,
    WebhookEndpoint.url,
    WebhookEndpoint.description,
    WebhookEndpoint.event_types,
    WebhookEndpoint.enabled,
    WebhookEndpoint.disabled_reason,
    WebhookEndpoint.failing_since,
    WebhookEndpoint.previous_secret_until,
    WebhookEndpoint.created_at,
    WebhookEndpoint.updated_at,
)


def _view(row: Any, now: datetime) -> Endpoint:
    """An Endpoint of a row of _SHOWN or a WebhookEndpoint; a grace that has ended is not
    shown."""
    until = row.previous_secret_until
    return Endpoint(
        id=row.id,
        public_id=row.public_id,
        url=row.url,
        description=row.description,
        event_types=list(row.event_types),
        enabled=row.enabled,
        disabled_reason=row.disabled_reason,
        failing_since=row.failing_since,
        previous_secret_expires_at=until if until is not None and until > now else None,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _not_found(public_id: str) -> WebhookNotFound:
    return WebhookNotFound(f"No webhook endpoint has the id {public_id!r}.")


async def create_endpoint(
    db: AsyncSession,
    *,
    url: str,
    event_types: list[str],
    description: str = "",
    enabled: bool = True,
    allow_private: bool,
) -> tuple[Endpoint, str]:
    """A new endpoint and its secret (`whsec_...`); `event_types` as the schema gave them
    (known, each once, sorted). Raises WebhookUrlRefused for a URL webhooks may not
    reach."""
    await targets.check(url, allow_private=allow_private)
    now = utcnow()
    secret = signing.new_secret()
    endpoint = WebhookEndpoint(
        public_id=new_endpoint_id(),
        url=url,
        description=description,
        event_types=event_types,
        enabled=enabled,
        disabled_reason=None,
        secret=secret,
        created_at=now,
        updated_at=now,
    )
    db.add(endpoint)
    await db.flush()
    await _subscribe(db, endpoint.id, event_types)
    return _view(endpoint, now), secret


async def _subscribe(db: AsyncSession, endpoint_id: int, event_types: list[str]) -> None:
    """Make the endpoint's subscription rows exactly `event_types`."""
    await db.execute(
        delete(WebhookSubscription).where(WebhookSubscription.endpoint_id == endpoint_id)
    )
    await db.execute(
        insert(WebhookSubscription),
        [{"endpoint_id": endpoint_id, "event_type": event_type} for event_type in event_types],
    )


async def list_endpoints(
    db: Reader, *, below_id: int | None = None, limit: int
) -> tuple[list[Endpoint], bool]:
    """Endpoints newest first, below `below_id` if given (keyset); and whether more follow."""
    query = select(*_SHOWN).order_by(WebhookEndpoint.id.desc()).limit(limit + 1)
    if below_id is not None:
        query = query.where(WebhookEndpoint.id < below_id)
    rows = (await db.execute(query)).all()
    now = utcnow()
    return [_view(row, now) for row in rows[:limit]], len(rows) > limit


async def get_endpoint(db: Reader, public_id: str) -> Endpoint:
    """Raises WebhookNotFound."""
    if not _PUBLIC_ID.match(public_id):
        raise _not_found(public_id)
    row = (await db.execute(select(*_SHOWN).where(WebhookEndpoint.public_id == public_id))).first()
    if row is None:
        raise _not_found(public_id)
    return _view(row, utcnow())


async def _locked(db: AsyncSession, public_id: str) -> WebhookEndpoint:
    """The endpoint, its row locked until the transaction ends (PostgreSQL; SQLite's
    writers take turns anyway): an update, a rotation, a deletion and the worker's own
    writes (disabling, failing_since) never interleave. Raises WebhookNotFound."""
    if not _PUBLIC_ID.match(public_id):
        raise _not_found(public_id)
    endpoint = await db.scalar(
        select(WebhookEndpoint).where(WebhookEndpoint.public_id == public_id).with_for_update()
    )
    if endpoint is None:
        raise _not_found(public_id)
    return endpoint


async def update_endpoint(
    db: AsyncSession,
    public_id: str,
    *,
    url: str | None = None,
    event_types: list[str] | None = None,
    description: str | None = None,
    enabled: bool | None = None,
    allow_private: bool,
) -> Endpoint:
    """Change what is given (None keeps it). Enabling a disabled endpoint clears
    `disabled_reason` and `failing_since`: a fresh start, five more days before mailslot
    disables it again; disabling it yourself leaves no reason. `updated_at` moves only
    when something changed. Raises WebhookUrlRefused (checked first) or WebhookNotFound."""
    if url is not None:
        await targets.check(url, allow_private=allow_private)
    endpoint = await _locked(db, public_id)
    now = utcnow()
    changed = False
    if url is not None and url != endpoint.url:
        endpoint.url, changed = url, True
    if description is not None and description != endpoint.description:
        endpoint.description, changed = description, True
    if event_types is not None and event_types != endpoint.event_types:
        endpoint.event_types, changed = event_types, True
        await _subscribe(db, endpoint.id, event_types)
    if enabled is not None and enabled != endpoint.enabled:
        endpoint.enabled, endpoint.disabled_reason, changed = enabled, None, True
        if enabled:
            endpoint.failing_since = None
    if changed:
        endpoint.updated_at = now
    await db.flush()
    return _view(endpoint, now)


async def delete_endpoint(db: AsyncSession, public_id: str) -> None:
    """Delete the endpoint with its subscriptions (a foreign key's cascade), deliveries and
    their attempts. Its events stay for the other endpoints that have them, until the
    log's retention (MAILSLOT_WEBHOOK_LOG_DAYS) prunes them. Raises WebhookNotFound."""
    endpoint = await _locked(db, public_id)
    await db.execute(delete(WebhookEndpoint).where(WebhookEndpoint.id == endpoint.id))
    # After the endpoint: a send that read it before this commits may still add a
    # delivery, which nothing claims and the log's purge takes (log.purge).
    await outbox.delete_deliveries(db, WebhookDelivery.endpoint_id == endpoint.id)


async def rotate_secret(
    db: AsyncSession, public_id: str, *, grace: timedelta
) -> tuple[Endpoint, str]:
    """A new secret, and the endpoint. For `grace` (0 to 7 days) the secret it replaces
    signs too, beside it (signing_secrets); a rotation during a grace ends that grace:
    only two secrets sign at once, the new one and the one it replaces. Raises
    WebhookNotFound."""
    if not timedelta(0) <= grace <= timedelta(seconds=MAX_GRACE_SECONDS):
        raise ValueError(f"grace out of range: {grace}")
    endpoint = await _locked(db, public_id)
    now = utcnow()
    secret = signing.new_secret()
    if grace > timedelta(0):
        endpoint.previous_secret = endpoint.secret
        endpoint.previous_secret_until = now + grace
    else:
        endpoint.previous_secret = endpoint.previous_secret_until = None
    endpoint.secret = secret
    endpoint.updated_at = now
    await db.flush()
    return _view(endpoint, now), secret


class Secrets(Protocol):
    """An endpoint's secrets, as the worker loaded them (a WebhookEndpoint or a row)."""

    @property
    def secret(self) -> str: ...

    @property
    def previous_secret(self) -> str | None: ...

    @property
    def previous_secret_until(self) -> datetime | None: ...


def signing_secrets(endpoint: Secrets, now: datetime) -> list[str]:
    """The secrets an attempt made at `now` is signed with: the current one first, then
    the previous one while its grace lasts (`now` before previous_secret_until). Pass to
    signing.headers."""
    until = endpoint.previous_secret_until
    if endpoint.previous_secret and until is not None and now < until:
        return [endpoint.secret, endpoint.previous_secret]
    return [endpoint.secret]
