"""Errors a client may see: the AppError family.

    AppError (400 bad_request)
    ├── InvalidParameter (400 invalid_parameter)
    │   └── UnknownRequest (400 unknown_request)
    ├── Unauthenticated (401 not_authenticated)
    │   ├── InvalidCredentials (401 invalid_credentials)
    │   ├── InvalidToken (401 invalid_token)
    │   ├── InvalidTicket (401 invalid_ticket)
    │   ├── CredentialsMissing (401 credentials_missing)
    │   └── SessionNotStarted (401 session_not_started)
    ├── Forbidden (403 forbidden)
    │   ├── NotYourMailbox (403 not_your_mailbox)
    │   ├── NotAReceiver (403 not_a_receiver)
    │   ├── WrongPassword (403 wrong_password)
    │   ├── NotTheSender (403 not_the_sender)
    │   └── NotYourMessage (403 not_your_message)
    ├── NotFound (404 not_found)
    │   ├── UserNotFound (404 user_not_found)
    │   ├── MessageNotFound (404 message_not_found)
    │   ├── NoUnreadMessage (404 no_unread_message)
    │   └── ThreadNotFound (404 thread_not_found)
    ├── Conflict (409 conflict)
    │   ├── UsernameTaken (409 username_taken)
    │   ├── EmailTaken (409 email_taken)
    │   └── IdempotencyKeyInFlight (409 idempotency_key_in_flight)
    ├── Gone (410 gone)
    │   └── ResyncRequired (410 resync_required)
    ├── PayloadTooLarge (413 payload_too_large)
    ├── Unprocessable (422 validation_failed)
    │   ├── UnknownReceiver (422 unknown_receiver)
    │   ├── ReplyToNotFound (422 reply_to_not_found)
    │   └── IdempotencyKeyReused (422 idempotency_key_reused)
    ├── TooManyRequests (429 rate_limited)
    │   └── TooManyStreams (429 too_many_streams)
    └── ServiceUnavailable (503 service_unavailable)

Clients switch on `code`; codes are API and are never renamed. `problems` renders them
as RFC 9457 problem+json.
"""

from __future__ import annotations

from typing import Any, ClassVar


class AppError(Exception):
    """Base of every error a client may see. Subclasses set status and code."""

    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"

    def __init__(
        self,
        detail: str,
        *,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}


class InvalidParameter(AppError):
    code = "invalid_parameter"


class UnknownRequest(InvalidParameter):
    """Seed A's `request=` parameter is missing or names no operation of this address."""

    code = "unknown_request"


class Unauthenticated(AppError):
    status, code = 401, "not_authenticated"

    def __init__(self, detail: str, **kwargs: Any) -> None:
        super().__init__(detail, **kwargs)
        self.headers.setdefault("WWW-Authenticate", "Bearer")


class InvalidCredentials(Unauthenticated):
    code = "invalid_credentials"


class InvalidToken(Unauthenticated):
    code = "invalid_token"


class InvalidTicket(Unauthenticated):
    code = "invalid_ticket"


class CredentialsMissing(Unauthenticated):
    """Seed A: the query string lacks `username` or `password`."""

    code = "credentials_missing"


class SessionNotStarted(Unauthenticated):
    """Seed A: the credentials are right but no session was started with //login."""

    code = "session_not_started"


class Forbidden(AppError):
    status, code = 403, "forbidden"


class NotYourMailbox(Forbidden):
    code = "not_your_mailbox"


class NotAReceiver(Forbidden):
    code = "not_a_receiver"


class WrongPassword(Forbidden):
    """A signed-in user confirming a change gave a wrong current password."""

    code = "wrong_password"


class NotTheSender(Forbidden):
    code = "not_the_sender"


class NotYourMessage(Forbidden):
    code = "not_your_message"


class NotFound(AppError):
    status, code = 404, "not_found"


class UserNotFound(NotFound):
    code = "user_not_found"


class MessageNotFound(NotFound):
    code = "message_not_found"


class NoUnreadMessage(NotFound):
    code = "no_unread_message"


class ThreadNotFound(NotFound):
    code = "thread_not_found"


class Conflict(AppError):
    status, code = 409, "conflict"


class UsernameTaken(Conflict):
    code = "username_taken"


class EmailTaken(Conflict):
    code = "email_taken"


class IdempotencyKeyInFlight(Conflict):
    code = "idempotency_key_in_flight"


class Gone(AppError):
    status, code = 410, "gone"


class ResyncRequired(Gone):
    """The changes after the client's sequence are no longer all kept: it must reload."""

    code = "resync_required"


class PayloadTooLarge(AppError):
    status, code = 413, "payload_too_large"


class Unprocessable(AppError):
    status, code = 422, "validation_failed"


class UnknownReceiver(Unprocessable):
    code = "unknown_receiver"


class ReplyToNotFound(Unprocessable):
    code = "reply_to_not_found"


class IdempotencyKeyReused(Unprocessable):
    code = "idempotency_key_reused"


class TooManyRequests(AppError):
    status, code = 429, "rate_limited"


class TooManyStreams(TooManyRequests):
    """The user has MAILSLOT_MAX_STREAMS_PER_USER live streams open already."""

    code = "too_many_streams"


class ServiceUnavailable(AppError):
    status, code = 503, "service_unavailable"
