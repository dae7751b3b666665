"""Request and response bodies of the webhook endpoints' API (`/server/webhooks`)."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from mailslot.accounts.schemas import Input
from mailslot.webhooks.endpoints import (
    DEFAULT_GRACE_SECONDS,
    MAX_DESCRIPTION,
    MAX_GRACE_SECONDS,
    Endpoint,
)
from mailslot.webhooks.models import ALL_EVENTS, EVENT_TYPES
from mailslot.webhooks.targets import MAX_URL_LENGTH

_KNOWN = (*EVENT_TYPES, ALL_EVENTS)


def _known_event_type(value: str) -> str:
    if value not in _KNOWN:
        raise ValueError(f"unknown event type {value!r}; known: {', '.join(_KNOWN)}")
    return value


def _event_types(values: list[str]) -> list[str]:
    """Each type once, sorted; `["*"]` alone when "*" is among them (it covers the rest)."""
    return [ALL_EVENTS] if ALL_EVENTS in values else sorted(set(values))


def _description(value: str) -> str:
    if any(unicodedata.category(char) in ("Cc", "Zl", "Zp", "Cs") for char in value):
        raise ValueError("must not contain control characters or line breaks")
    return value


Url = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_URL_LENGTH,
        description="Where events are POSTed: an http(s) URL whose host has only public "
        "addresses (unless the operator set MAILSLOT_WEBHOOK_ALLOW_PRIVATE), without a user "
        "name, password or #fragment; 422 `webhook_url_refused` otherwise.",
        json_schema_extra={"format": "uri"},
    ),
]
EventTypes = Annotated[
    list[Annotated[str, Field(max_length=64), AfterValidator(_known_event_type)]],
    Field(
        min_length=1,
        max_length=4 * len(_KNOWN),
        description='The event types to receive, or `["*"]` for all of them, present and '
        f"future: {', '.join(f'`{name}`' for name in EVENT_TYPES)}. Repeats count once.",
        json_schema_extra={"items": {"type": "string", "enum": list(_KNOWN)}},
    ),
    AfterValidator(_event_types),
]
Description = Annotated[
    str,
    Field(
        max_length=MAX_DESCRIPTION,
        description=f"Your note about the endpoint, up to {MAX_DESCRIPTION} characters on one "
        "line.",
    ),
    AfterValidator(_description),
]


class WebhookEndpointCreate(Input):
    url: Url
    event_types: EventTypes
    description: Description = ""
    enabled: bool = Field(True, description="`false`: nothing is sent to it until enabled.")


def _without_null(schema: dict[str, Any]) -> None:
    """Say what the validator takes: a field may be left out, never `null`."""
    for field in schema["properties"].values():
        kinds = [kind for kind in field.pop("anyOf", []) if kind != {"type": "null"}]
        if kinds:
            field.update(kinds[0])
        field.pop("default", None)


class WebhookEndpointUpdate(Input):
    """What to change; a field left out keeps its value (none may be `null`)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_without_null)

    url: Url | None = None
    event_types: EventTypes | None = None
    description: Description | None = None
    enabled: bool | None = Field(
        None,
        description="`true` also clears `disabled_reason` and `failing_since` of an endpoint "
        "mailslot disabled.",
    )

    @field_validator("url", "event_types", "description", "enabled", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("leave the field out to keep its value; it cannot be null")
        return value


class WebhookSecretRotate(Input):
    grace_seconds: int = Field(
        DEFAULT_GRACE_SECONDS,
        ge=0,
        le=MAX_GRACE_SECONDS,
        description="How long the previous secret keeps signing beside the new one, 0 to "
        f"{MAX_GRACE_SECONDS} seconds (7 days); {DEFAULT_GRACE_SECONDS} (a day) unless given.",
    )


class WebhookEndpointRead(BaseModel):
    id: str = Field(description="The endpoint's id (`ep_...`).")
    url: str
    description: str
    event_types: list[str] = Field(description='Sorted, each once; `["*"]` for every type.')
    enabled: bool
    disabled_reason: str | None = Field(
        description="Why mailslot disabled it (the receiver answered 410 Gone, or failed for "
        "days running); null when enabled or disabled by you."
    )
    failing_since: datetime | None = Field(
        description="The first failure of the current run of failed attempts; null after a success."
    )
    previous_secret_expires_at: datetime | None = Field(
        description="During a rotation's grace, when the previous secret stops signing; "
        "null otherwise."
    )
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, endpoint: Endpoint) -> WebhookEndpointRead:
        return cls(
            id=endpoint.public_id,
            url=endpoint.url,
            description=endpoint.description,
            event_types=endpoint.event_types,
            enabled=endpoint.enabled,
            disabled_reason=endpoint.disabled_reason,
            failing_since=endpoint.failing_since,
            previous_secret_expires_at=endpoint.previous_secret_expires_at,
            created_at=endpoint.created_at,
            updated_at=endpoint.updated_at,
        )


class WebhookEndpointWithSecret(WebhookEndpointRead):
    """The endpoint and its signing secret, shown only at creation and rotation."""

    secret: str = Field(
        description="`whsec_` and 32 random bytes, base64: verify the `webhook-signature` "
        "header with it. Shown this once; rotate it to get a new one."
    )

    @classmethod
    def with_secret(cls, endpoint: Endpoint, secret: str) -> WebhookEndpointWithSecret:
        return cls(**WebhookEndpointRead.of(endpoint).model_dump(), secret=secret)


class WebhookEndpointPage(BaseModel):
    endpoints: list[WebhookEndpointRead] = Field(description="Newest first.")
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last."
    )
