"""The host's webhook endpoints (`/server/webhooks`, scope `webhooks:manage`): create,
list, show, update, delete, rotate the secret. Calls into webhooks.endpoints."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response
from pydantic import BaseModel, Field

from mailslot.deps import AppSettings, Reads, Sessions, query_model, query_parameters
from mailslot.logs import audit
from mailslot.messages.cursor import encode_cursor
from mailslot.messages.routes import PageSize, below
from mailslot.openapi import JSON_BODY, problems
from mailslot.serverapi.deps import WebhooksManager
from mailslot.webhooks import endpoints
from mailslot.webhooks.schemas import (
    WebhookEndpointCreate,
    WebhookEndpointPage,
    WebhookEndpointRead,
    WebhookEndpointUpdate,
    WebhookEndpointWithSecret,
    WebhookSecretRotate,
)

# Every route here reaches the database (503) and spends the key's budget (429).
router = APIRouter(tags=["server"], responses=problems(401, 403, 429, 503))

DEFAULT_PAGE_SIZE = 50

PathWebhookId = Annotated[
    str, Path(description="The endpoint's `id` (`ep_...`), as created or listed.")
]


class WebhookListQuery(BaseModel):
    """The query of the endpoints' listing, read by deps.query_model."""

    per_page: PageSize = DEFAULT_PAGE_SIZE
    cursor: str | None = Field(
        None, max_length=64, description="`next_cursor` of the previous page."
    )


@router.post("/server/webhooks", status_code=201, responses=problems(*JSON_BODY))
async def post_server_webhook(
    body: WebhookEndpointCreate, key: WebhooksManager, sessions: Sessions, settings: AppSettings
) -> WebhookEndpointWithSecret:
    """Add an endpoint: mailslot POSTs each event of `event_types` to `url`, signed in
    the Standard Webhooks format with the `secret` this answer shows, once. The URL must
    be http(s) and its host must resolve only to public addresses: 422
    `webhook_url_refused` says why not. An unknown event type is 422 `validation_failed`
    naming it."""
    async with sessions() as db:
        endpoint, secret = await endpoints.create_endpoint(
            db,
            url=body.url,
            event_types=body.event_types,
            description=body.description,
            enabled=body.enabled,
            allow_private=settings.webhook_allow_private,
        )
        await db.commit()
    audit("webhook.created", webhook_id=endpoint.public_id)
    return WebhookEndpointWithSecret.with_secret(endpoint, secret)


@router.get(
    "/server/webhooks",
    responses=problems(400, 422),
    openapi_extra=query_parameters(WebhookListQuery),
)
async def list_server_webhooks(
    key: WebhooksManager,
    reads: Reads,
    query: Annotated[WebhookListQuery, Depends(query_model(WebhookListQuery))],
) -> WebhookEndpointPage:
    """The endpoints, newest first, a page at a time; never their secrets."""
    async with reads.connect() as db:
        found, more = await endpoints.list_endpoints(
            db, below_id=below(query.cursor), limit=query.per_page
        )
    return WebhookEndpointPage(
        endpoints=[WebhookEndpointRead.of(endpoint) for endpoint in found],
        next_cursor=encode_cursor(found[-1].id) if more else None,
    )


@router.get("/server/webhooks/{webhook_id}", responses=problems(404))
async def get_server_webhook(
    webhook_id: PathWebhookId, key: WebhooksManager, reads: Reads
) -> WebhookEndpointRead:
    """One endpoint, never its secret (404 `webhook_not_found` if none has this id)."""
    async with reads.connect() as db:
        endpoint = await endpoints.get_endpoint(db, webhook_id)
    return WebhookEndpointRead.of(endpoint)


@router.patch("/server/webhooks/{webhook_id}", responses=problems(404, *JSON_BODY))
async def patch_server_webhook(
    webhook_id: PathWebhookId,
    body: WebhookEndpointUpdate,
    key: WebhooksManager,
    sessions: Sessions,
    settings: AppSettings,
) -> WebhookEndpointRead:
    """Change the URL, the event types, the description, or switch the endpoint on or
    off; what is left out stays. Events already waiting go to the new URL. Enabling an
    endpoint mailslot disabled clears `disabled_reason` and `failing_since`. A new URL
    is checked as at creation (422 `webhook_url_refused`)."""
    async with sessions() as db:
        endpoint = await endpoints.update_endpoint(
            db,
            webhook_id,
            url=body.url,
            event_types=body.event_types,
            description=body.description,
            enabled=body.enabled,
            allow_private=settings.webhook_allow_private,
        )
        await db.commit()
    # What changed, by name only: a URL may carry a receiver's own secret.
    audit("webhook.updated", webhook_id=endpoint.public_id, changed=sorted(body.model_fields_set))
    return WebhookEndpointRead.of(endpoint)


@router.delete("/server/webhooks/{webhook_id}", status_code=204, responses=problems(404))
async def delete_server_webhook(
    webhook_id: PathWebhookId, key: WebhooksManager, sessions: Sessions
) -> Response:
    """Delete the endpoint and its delivery log: no attempt starts after that, not even
    one that was waiting for its retry."""
    async with sessions() as db:
        await endpoints.delete_endpoint(db, webhook_id)
        await db.commit()
    audit("webhook.deleted", webhook_id=webhook_id)
    return Response(status_code=204)


@router.post("/server/webhooks/{webhook_id}/rotate-secret", responses=problems(404, *JSON_BODY))
async def rotate_server_webhook_secret(
    webhook_id: PathWebhookId,
    body: WebhookSecretRotate,
    key: WebhooksManager,
    sessions: Sessions,
) -> WebhookEndpointWithSecret:
    """A new signing secret, shown this once. For `grace_seconds` (a day unless given,
    at most 7 days) every attempt carries two signatures, space-separated in
    `webhook-signature`: one with the new secret, one with the previous, so a receiver
    can switch at its own pace. `previous_secret_expires_at` says when the previous one
    stops. Rotating again during a grace ends it: only the secret being replaced keeps
    signing."""
    async with sessions() as db:
        endpoint, secret = await endpoints.rotate_secret(
            db, webhook_id, grace=timedelta(seconds=body.grace_seconds)
        )
        await db.commit()
    audit("webhook.secret_rotated", webhook_id=endpoint.public_id)
    return WebhookEndpointWithSecret.with_secret(endpoint, secret)
