"""Account request and response bodies."""

from __future__ import annotations

import json
import unicodedata
from datetime import datetime
from typing import Annotated, Literal

from email_validator import EmailNotValidError, validate_email
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    StringConstraints,
    model_validator,
)

USERNAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$"

Username = Annotated[
    str,
    StringConstraints(pattern=USERNAME_PATTERN, max_length=64),
    Field(description="1 to 64 letters, digits, `_`, `.` or `-`; unique regardless of case."),
]


def _email(value: str) -> str:
    # Syntax only: no DNS, and special-use domains (`.test`, `.internal`, `.local`) are
    # fine for a self-hosted service and for a host application's test users.
    try:
        return validate_email(
            value, check_deliverability=False, globally_deliverable=False, test_environment=True
        ).normalized
    except EmailNotValidError as exc:
        raise ValueError(f"value is not a valid email address: {exc}") from None


# The host application's own id for a user (issue 18): what its ids look like (numbers,
# UUIDs, `cus_123`, `auth0|123`, an email address), never a `/`, since it is a path segment.
EXTERNAL_ID_PATTERN = r"^[A-Za-z0-9_.:@|+=\-]{1,128}$"
MAX_DISPLAY_NAME = 100
MAX_CUSTOM_BYTES = 4096
# Bidirectional overrides and isolates: they would let a display name read as another.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def clean_display_name(value: str) -> str:
    """The display name to keep: trimmed, 1 to MAX_DISPLAY_NAME characters, without
    control characters, line or paragraph separators or bidirectional overrides."""
    value = value.strip()
    if not value:
        raise ValueError("must not be blank")
    if len(value) > MAX_DISPLAY_NAME:
        raise ValueError(f"at most {MAX_DISPLAY_NAME} characters")
    if any(
        unicodedata.category(char) in ("Cc", "Zl", "Zp", "Cs") or char in _BIDI_CONTROLS
        for char in value
    ):
        raise ValueError("must not contain control characters")
    return value


def check_custom(value: dict[str, object]) -> dict[str, object]:
    """A host's JSON object about a user: at most MAX_CUSTOM_BYTES as compact UTF-8 JSON."""
    size = len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())
    if size > MAX_CUSTOM_BYTES:
        raise ValueError(f"at most {MAX_CUSTOM_BYTES} bytes as JSON, not {size}")
    return value


# What clean_display_name takes, for the OpenAPI document only (pydantic's regex engine has
# no look-ahead; clean_display_name checks): something besides spaces, no control
# characters, line or paragraph separators or bidirectional overrides.
_DISPLAY_NAME_SCHEMA = (
    r"^(?=.*\S)[^\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]*$"
)
DisplayName = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_DISPLAY_NAME,
        description="Shown beside the username; trimmed, 1 to 100 characters, no control "
        "characters.",
        json_schema_extra={"pattern": _DISPLAY_NAME_SCHEMA},
    ),
    AfterValidator(clean_display_name),
]
ExternalId = Annotated[
    str,
    Field(
        pattern=EXTERNAL_ID_PATTERN,
        description="The host application's own id for the user: 1 to 128 letters, digits "
        "or `_ . : @ | + = -`.",
    ),
]
# A group of a provisioned user (issue 22): what the messaging policy names. `*` and
# `@ungrouped` are the policy's own names (policy/rules.py), never a group's.
GROUP_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,63}$"
MAX_GROUPS = 32
GroupName = Annotated[
    str,
    Field(
        pattern=GROUP_PATTERN,
        description="1 to 64 letters, digits or `_ . : -`, starting with a letter or digit.",
    ),
]
Custom = Annotated[
    dict[str, object],
    AfterValidator(check_custom),
    Field(description="The host's JSON object about the user, at most 4096 bytes as JSON."),
]

Email = Annotated[
    str, Field(max_length=320, json_schema_extra={"format": "email"}), AfterValidator(_email)
]
Password = Annotated[
    str,
    # 6 is the floor MAILSLOT_PASSWORD_MIN_LENGTH may lower to; the setting itself (8 by
    # default) is checked by Passwords.require_policy and written into the OpenAPI document
    # (openapi.password_policy) where this marker stands.
    Field(
        min_length=6,
        max_length=1024,
        description="At least 8 characters.",
        json_schema_extra={"x-password": True},
    ),
]


class Input(BaseModel):
    """Request bodies refuse unknown fields, so mass assignment gets a 422."""

    model_config = ConfigDict(extra="forbid")


class UserCreate(Input):
    username: Username
    email: Email
    password: Password


_STRINGS: dict[str, JsonValue] = {
    name: {"type": "string"} for name in ("email", "password", "current_password")
}


class UserUpdate(Input):
    """Set your display name (null removes it), your email address and/or your password.
    The current password is needed to change the email address or the password, not the
    display name alone."""

    # Optional, and never null or empty when given: "" stands for "not given".
    current_password: str = Field(default="", min_length=1, max_length=1024)
    email: Email | None = None
    password: Password | None = Field(default=None, description="The new password.")
    display_name: DisplayName | None = None

    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                # Given, not null: a null email or password changes nothing.
                {"required": ["email", "current_password"], "properties": _STRINGS},
                {"required": ["password", "current_password"], "properties": _STRINGS},
                {
                    "required": ["display_name"],
                    "not": {"anyOf": [{"required": ["email"]}, {"required": ["password"]}]},
                },
            ]
        }
    )

    @model_validator(mode="after")
    def _something_to_change(self) -> UserUpdate:
        if self.email is None and self.password is None and not self.sets_display_name:
            raise ValueError("give 'display_name', 'email', 'password' or several")
        changes_secret = self.email is not None or self.password is not None
        if changes_secret and not self.current_password:
            raise ValueError("'current_password' is needed to change the email or password")
        return self

    @property
    def sets_display_name(self) -> bool:
        return "display_name" in self.model_fields_set


class TokenCreate(Input):
    password: Annotated[str, Field(max_length=1024)]


class TokenRead(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 (a token type, not a secret)
    expires_in: int = Field(description="Seconds until the token expires.")


class UserRead(BaseModel):
    """A user's own profile."""

    id: int
    username: str
    email: str | None
    created_at: datetime
    display_name: str | None = None


class UserPublic(BaseModel):
    """What other users see: that the username exists, and its display name."""

    username: str
    display_name: str | None = None


class ExternalUserPut(Input):
    """A user as the host application provisions it (`accounts.people`). Fields left out
    keep their value on an update; `username` is set once, at creation."""

    username: Username | None = Field(
        default=None, description="Derived from the external id when left out."
    )
    display_name: DisplayName | None
    email: Email | None = None
    custom: Custom | None = None
    groups: list[GroupName] | None = Field(
        default=None,
        max_length=MAX_GROUPS,
        description=f"The user's groups, at most {MAX_GROUPS}, for the messaging policy "
        "(PUT /server/policy/messaging); repeats count once; `[]` or null: none.",
    )


class ExternalUserRead(BaseModel):
    external_id: str
    username: str
    display_name: str | None
    email: str | None
    custom: dict[str, object] | None
    groups: list[str] = Field(default_factory=list, description="Sorted, each once.")
    created_at: datetime
    deactivated_at: datetime | None


class UserEventData(ExternalUserRead):
    """A user as webhooks carry it (`user.*`): as the server API shows it, with a null
    `external_id` for a user who registered themselves. Never the password hash."""

    external_id: str | None  # type: ignore[assignment]


class SignedOutEverywhere(BaseModel):
    revoked: int = Field(description="How many live tokens were revoked, this one included.")
