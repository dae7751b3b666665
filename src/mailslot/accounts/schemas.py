"""Account request and response bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from email_validator import EmailNotValidError, validate_email
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
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


Email = Annotated[
    str, Field(max_length=320, json_schema_extra={"format": "email"}), AfterValidator(_email)
]
Password = Annotated[
    str,
    Field(min_length=8, max_length=1024, description="At least 8 characters."),
]


class Input(BaseModel):
    """Request bodies refuse unknown fields, so mass assignment gets a 422."""

    model_config = ConfigDict(extra="forbid")


class UserCreate(Input):
    username: Username
    email: Email
    password: Password


class UserUpdate(Input):
    """Set the email address and/or the password; the current password is always needed."""

    current_password: Annotated[str, Field(max_length=1024)]
    email: Email | None = None
    password: Password | None = Field(default=None, description="The new password.")

    model_config = ConfigDict(
        json_schema_extra={"anyOf": [{"required": ["email"]}, {"required": ["password"]}]}
    )

    @model_validator(mode="after")
    def _something_to_change(self) -> UserUpdate:
        if self.email is None and self.password is None:
            raise ValueError("give 'email', 'password' or both")
        return self


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


class UserPublic(BaseModel):
    """What other users see: that the username exists."""

    username: str
