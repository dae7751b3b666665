"""Errors a client may see: the AppError family.

    AppError (400 bad_request)
    ├── InvalidParameter (400 invalid_parameter)
    │   └── UnknownRequest (400 unknown_request)
    ├── Unauthenticated (401 not_authenticated)
    │   ├── InvalidCredentials (401 invalid_credentials)
    │   ├── InvalidToken (401 invalid_token)
    │   ├── InvalidTicket (401 invalid_ticket)
    │   ├── CredentialsMissing (401 credentials_missing)
    │   ├── SessionNotStarted (401 session_not_started)
    │   ├── InvalidServerKey (401 invalid_server_key)
    │   ├── ServerKeyNotAccepted (401 server_key_not_accepted)
    │   └── UserTokenNotAccepted (401 user_token_not_accepted)
    ├── Forbidden (403 forbidden)
    │   ├── InsufficientScope (403 insufficient_scope)
    │   ├── NotYourMailbox (403 not_your_mailbox)
    │   ├── NotAReceiver (403 not_a_receiver)
    │   ├── WrongPassword (403 wrong_password)
    │   ├── NotTheSender (403 not_the_sender)
    │   ├── NotYourMessage (403 not_your_message)
    │   ├── InvalidContext (403 invalid_context)
    │   ├── AccountDeactivated (403 account_deactivated)
    │   ├── AccountSuspended (403 account_suspended)
    │   ├── SystemTakesNoReplies (403 system_does_not_take_replies)
    │   ├── ReadOnlyToken (403 read_only_token)
│   ├── PolicyDenied (403 policy_denied)
│   └── InvalidDownloadLink (403 invalid_download_link)
    ├── NotFound (404 not_found)
    │   ├── UserNotFound (404 user_not_found)
    │   ├── MessageNotFound (404 message_not_found)
    │   ├── NoUnreadMessage (404 no_unread_message)
    │   ├── ThreadNotFound (404 thread_not_found)
    │   ├── AccessLogOff (404 access_log_off)
    │   ├── TokenNotFound (404 token_not_found)
│   ├── WebhookNotFound (404 webhook_not_found)
│   ├── DeliveryNotFound (404 delivery_not_found)
│   ├── JobNotFound (404 job_not_found)
│   ├── ExportNotFound (404 export_not_found)
│   └── ReportNotFound (404 report_not_found)
    ├── Conflict (409 conflict)
    │   ├── UsernameTaken (409 username_taken)
    │   │   └── UsernameHeld (409 username_held)
    │   ├── EmailTaken (409 email_taken)
    │   ├── IdempotencyKeyInFlight (409 idempotency_key_in_flight)
    │   ├── WebhookDisabled (409 webhook_disabled)
    │   └── ReportResolved (409 report_resolved)
    ├── Gone (410 gone)
    │   ├── ResyncRequired (410 resync_required)
    │   └── ExportExpired (410 export_expired)
    ├── Unprocessable (422 validation_failed)
    │   ├── UnknownReceiver (422 unknown_receiver)
    │   │   └── ReceiverDeactivated (422 receiver_deactivated)
    │   ├── ReplyToNotFound (422 reply_to_not_found)
    │   ├── ContextMismatch (422 context_mismatch)
    │   ├── NoRecipientCanReceive (422 no_recipient_can_receive)
    │   ├── IdempotencyKeyReused (422 idempotency_key_reused)
│   ├── WebhookUrlRefused (422 webhook_url_refused)
│   └── TooManyBlocks (422 too_many_blocks)
    ├── TooManyRequests (429 rate_limited)
    │   └── TooManyStreams (429 too_many_streams)
    └── ServiceUnavailable (503 service_unavailable)
        └── SendHookUnavailable (503 send_hook_unavailable)

Clients switch on `code`. Every code a client can see, raised here or answered by the
handlers, the edge or the streams, is declared once in `Code` and described in `CODES`;
the OpenAPI document, docs/errors.md and the tests read them. Codes are API: never rename
one. Each class sets only its code; its status is the code's. `problems` renders them as
RFC 9457 problem+json.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from http import HTTPStatus
from typing import Any, ClassVar


class Code(StrEnum):
    """Every `code` a client can see: in a problem+json body, or as a WebSocket close's
    reason."""

    BAD_REQUEST = "bad_request"
    INVALID_PARAMETER = "invalid_parameter"
    UNKNOWN_REQUEST = "unknown_request"
    MALFORMED_JSON = "malformed_json"
    NOT_AUTHENTICATED = "not_authenticated"
    INVALID_CREDENTIALS = "invalid_credentials"
    INVALID_TOKEN = "invalid_token"  # noqa: S105 (a code, not a secret)
    INVALID_TICKET = "invalid_ticket"
    CREDENTIALS_MISSING = "credentials_missing"
    SESSION_NOT_STARTED = "session_not_started"
    INVALID_SERVER_KEY = "invalid_server_key"
    SERVER_KEY_NOT_ACCEPTED = "server_key_not_accepted"
    USER_TOKEN_NOT_ACCEPTED = "user_token_not_accepted"  # noqa: S105 (a code, not a secret)
    FORBIDDEN = "forbidden"
    NOT_YOUR_MAILBOX = "not_your_mailbox"
    NOT_A_RECEIVER = "not_a_receiver"
    WRONG_PASSWORD = "wrong_password"  # noqa: S105 (a code, not a secret)
    NOT_THE_SENDER = "not_the_sender"
    NOT_YOUR_MESSAGE = "not_your_message"
    INSUFFICIENT_SCOPE = "insufficient_scope"
    INVALID_CONTEXT = "invalid_context"
    ACCOUNT_DEACTIVATED = "account_deactivated"
    ACCOUNT_SUSPENDED = "account_suspended"
    SYSTEM_DOES_NOT_TAKE_REPLIES = "system_does_not_take_replies"
    READ_ONLY_TOKEN = "read_only_token"  # noqa: S105 (a code, not a secret)
    POLICY_DENIED = "policy_denied"
    NOT_FOUND = "not_found"
    USER_NOT_FOUND = "user_not_found"
    MESSAGE_NOT_FOUND = "message_not_found"
    NO_UNREAD_MESSAGE = "no_unread_message"
    THREAD_NOT_FOUND = "thread_not_found"
    ACCESS_LOG_OFF = "access_log_off"
    TOKEN_NOT_FOUND = "token_not_found"  # noqa: S105 (a code, not a secret)
    WEBHOOK_NOT_FOUND = "webhook_not_found"
    DELIVERY_NOT_FOUND = "delivery_not_found"
    JOB_NOT_FOUND = "job_not_found"
    EXPORT_NOT_FOUND = "export_not_found"
    INVALID_DOWNLOAD_LINK = "invalid_download_link"
    EXPORT_EXPIRED = "export_expired"
    REPORT_NOT_FOUND = "report_not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    NOT_ACCEPTABLE = "not_acceptable"
    REQUEST_TIMEOUT = "request_timeout"
    CONFLICT = "conflict"
    USERNAME_TAKEN = "username_taken"
    USERNAME_HELD = "username_held"
    EMAIL_TAKEN = "email_taken"
    IDEMPOTENCY_KEY_IN_FLIGHT = "idempotency_key_in_flight"
    WEBHOOK_DISABLED = "webhook_disabled"
    REPORT_RESOLVED = "report_resolved"
    GONE = "gone"
    RESYNC_REQUIRED = "resync_required"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    VALIDATION_FAILED = "validation_failed"
    UNKNOWN_RECEIVER = "unknown_receiver"
    RECEIVER_DEACTIVATED = "receiver_deactivated"
    REPLY_TO_NOT_FOUND = "reply_to_not_found"
    CONTEXT_MISMATCH = "context_mismatch"
    NO_RECIPIENT_CAN_RECEIVE = "no_recipient_can_receive"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    WEBHOOK_URL_REFUSED = "webhook_url_refused"
    TOO_MANY_BLOCKS = "too_many_blocks"
    RATE_LIMITED = "rate_limited"
    TOO_MANY_STREAMS = "too_many_streams"
    INTERNAL_ERROR = "internal_error"
    SERVICE_UNAVAILABLE = "service_unavailable"
    SEND_HOOK_UNAVAILABLE = "send_hook_unavailable"
    DATABASE_UNAVAILABLE = "database_unavailable"
    TOO_SLOW = "too_slow"
    SERVICE_RESTART = "service_restart"
    TRY_AGAIN_LATER = "try_again_later"


# The WebSocket close codes (RFC 6455 §7.4, IANA registry) that end a stream without an
# HTTP status behind them; a refusal closes with 4000 + its status instead (4401, 4403).
WEBSOCKET_CLOSES = {1008: "Policy Violation", 1012: "Service Restart", 1013: "Try Again Later"}


@dataclass(frozen=True, slots=True)
class Declared:
    """What a code means: its HTTP status (or, for a reason only a WebSocket close gives,
    its close code), when a client meets it, whether only seed A's addresses (`//name`)
    answer it, and whether it is only reserved: declared so that clients handle it,
    answered by nothing today."""

    status: int
    when: str
    seed_a: bool = False
    reserved: bool = False

    @property
    def title(self) -> str:
        """The problem's `title` (its `type` is about:blank), or the close code's name."""
        return WEBSOCKET_CLOSES.get(self.status) or HTTPStatus(self.status).phrase

    @property
    def websocket_only(self) -> bool:
        return self.status in WEBSOCKET_CLOSES


CODES: dict[Code, Declared] = {
    Code.BAD_REQUEST: Declared(
        400, "The request body cannot be read (for example, it is not UTF-8)."
    ),
    Code.INVALID_PARAMETER: Declared(
        400,
        "A query parameter is out of its domain: a cursor this service did not give out, "
        "`cursor` with `page`, `unread` outside the inbox, too many search terms, a "
        "`since` that is not a change sequence number.",
    ),
    Code.UNKNOWN_REQUEST: Declared(
        400,
        "The `request=` parameter is missing or names no operation of this address.",
        seed_a=True,
    ),
    Code.MALFORMED_JSON: Declared(400, "The request body is not valid JSON."),
    Code.NOT_AUTHENTICATED: Declared(
        401, "No bearer token (or, for a stream, no ticket) was sent."
    ),
    Code.INVALID_CREDENTIALS: Declared(401, "Sign-in with a wrong username or password."),
    Code.INVALID_TOKEN: Declared(
        401,
        "The bearer token is unknown, expired or signed out; a stream whose token ends "
        "closes with it (4401).",
    ),
    Code.INVALID_TICKET: Declared(401, "The stream ticket is unknown, used or expired."),
    Code.CREDENTIALS_MISSING: Declared(
        401, "The query string lacks `username` or `password`.", seed_a=True
    ),
    Code.SESSION_NOT_STARTED: Declared(
        401, "The credentials are right but no session was started with `//login`.", seed_a=True
    ),
    Code.INVALID_SERVER_KEY: Declared(
        401, "Under `/server`: the server key is unknown or revoked."
    ),
    Code.SERVER_KEY_NOT_ACCEPTED: Declared(
        401,
        "A server key (`msk_...`) was sent to a user's route: keys act only under "
        "`/server`; a user's routes take that user's token.",
    ),
    Code.USER_TOKEN_NOT_ACCEPTED: Declared(
        401, "A user's bearer token was sent under `/server`, which takes only server keys."
    ),
    Code.FORBIDDEN: Declared(
        403, "Generic refusal; every refusal has a more precise code.", reserved=True
    ),
    Code.NOT_YOUR_MAILBOX: Declared(
        403, "The token belongs to another user than the address names."
    ),
    Code.NOT_A_RECEIVER: Declared(
        403, "Read state changed on a message the user sent rather than received."
    ),
    Code.WRONG_PASSWORD: Declared(
        403, "A signed-in user confirming a change gave a wrong current password."
    ),
    Code.NOT_THE_SENDER: Declared(
        403, "A message written with a `sender` other than the user.", seed_a=True
    ),
    Code.NOT_YOUR_MESSAGE: Declared(
        403,
        "A delete by someone who is neither the message's sender nor its receiver.",
        seed_a=True,
    ),
    Code.INSUFFICIENT_SCOPE: Declared(
        403, "The server key lacks the scope the operation needs; `detail` names it."
    ),
    Code.INVALID_CONTEXT: Declared(
        403,
        "A `context_token` this server did not sign, altered since, expired, or whose "
        "participants do not include the sender.",
    ),
    Code.ACCOUNT_DEACTIVATED: Declared(
        403,
        "Sign-in (or a seed A request) with the right password of a deactivated account; "
        "its tokens were revoked when it was deactivated; also a server send whose `from` "
        "is a deactivated user.",
    ),
    Code.ACCOUNT_SUSPENDED: Declared(
        403,
        "A send by a suspended user (on any door: the API, seed A, the server API's "
        "`from`): they may sign in and read until the operator lifts the suspension.",
    ),
    Code.SYSTEM_DOES_NOT_TAKE_REPLIES: Declared(
        403,
        "A message to the platform's own account (a reply to a system message) while "
        "`MAILSLOT_SYSTEM_REPLIES` is off.",
    ),
    Code.READ_ONLY_TOKEN: Declared(
        403,
        "A change (send, mark, delete, profile) with a token minted with only the `read` "
        "scope: it may list, read and stream.",
    ),
    Code.POLICY_DENIED: Declared(
        403,
        "The host's messaging policy refused the message (`detail` names the rule), or its "
        "pre-send hook did (`detail` gives its reason). Nothing is stored.",
    ),
    Code.NOT_FOUND: Declared(404, "Nothing is at this address."),
    Code.USER_NOT_FOUND: Declared(404, "The user named does not exist."),
    Code.MESSAGE_NOT_FOUND: Declared(404, "There is no such message in the user's mailbox."),
    Code.NO_UNREAD_MESSAGE: Declared(
        404, "Reading the oldest unread message when none is left.", seed_a=True
    ),
    Code.THREAD_NOT_FOUND: Declared(404, "There is no such thread in the user's mailbox."),
    Code.ACCESS_LOG_OFF: Declared(
        404,
        "The operator has not turned on MAILSLOT_AUDIT_SHOW_USERS: users are not shown who "
        "read their mailbox.",
    ),
    Code.TOKEN_NOT_FOUND: Declared(
        404, "The user has no live token with this `token_id` (server API)."
    ),
    Code.WEBHOOK_NOT_FOUND: Declared(404, "No webhook endpoint has this id (server API)."),
    Code.DELIVERY_NOT_FOUND: Declared(
        404, "The endpoint has no delivery of an event with this id (server API)."
    ),
    Code.JOB_NOT_FOUND: Declared(404, "No job has this id (server API)."),
    Code.EXPORT_NOT_FOUND: Declared(404, "No export of this user has this id."),
    Code.INVALID_DOWNLOAD_LINK: Declared(
        403, "An export's download link that this service did not sign, or that was altered."
    ),
    Code.EXPORT_EXPIRED: Declared(
        410,
        "The export's download link has expired, or its archive was removed: start a new export.",
    ),
    Code.REPORT_NOT_FOUND: Declared(404, "No report has this id (server API)."),
    Code.METHOD_NOT_ALLOWED: Declared(
        405, "The address exists but not for this method; `Allow` lists those it takes."
    ),
    Code.NOT_ACCEPTABLE: Declared(
        406, "The client accepts no media type the address can answer.", reserved=True
    ),
    Code.REQUEST_TIMEOUT: Declared(
        408,
        "The request head or body did not arrive within `MAILSLOT_HEADER_TIMEOUT` or "
        "`MAILSLOT_BODY_TIMEOUT`; the connection is closed.",
    ),
    Code.CONFLICT: Declared(
        409, "Generic conflict; every conflict has a more precise code.", reserved=True
    ),
    Code.USERNAME_TAKEN: Declared(409, "Registration with a username already registered."),
    Code.USERNAME_HELD: Declared(
        409,
        "Registration with the username of an erased account, held for "
        "`MAILSLOT_ERASED_USERNAME_HOLD_DAYS` after the erasure.",
    ),
    Code.EMAIL_TAKEN: Declared(409, "The email address belongs to another account."),
    Code.IDEMPOTENCY_KEY_IN_FLIGHT: Declared(
        409, "A request with the same `Idempotency-Key` is still being processed."
    ),
    Code.WEBHOOK_DISABLED: Declared(
        409,
        "A redelivery or replay to a disabled webhook endpoint: enable it first (its "
        "`disabled_reason` says why mailslot disabled it, if it did).",
    ),
    Code.REPORT_RESOLVED: Declared(
        409, "The report was resolved already: a report is resolved once (server API)."
    ),
    Code.GONE: Declared(410, "Generic; every 410 has a more precise code.", reserved=True),
    Code.RESYNC_REQUIRED: Declared(
        410,
        "The changes after the client's sequence are no longer all kept: reload the mailbox, "
        "then continue from `latest` (a WebSocket closes with 4410).",
    ),
    Code.PAYLOAD_TOO_LARGE: Declared(
        413, "The request body is larger than `MAILSLOT_MAX_BODY_BYTES`."
    ),
    Code.UNSUPPORTED_MEDIA_TYPE: Declared(
        415, "The body is sent with a Content-Type other than JSON."
    ),
    Code.VALIDATION_FAILED: Declared(
        422,
        "The request does not match its schema; `errors` names each field with a JSON "
        "pointer. Also a message with a NUL character, and seed A's `id` on a write.",
    ),
    Code.UNKNOWN_RECEIVER: Declared(422, "A receiver of the message is not a registered user."),
    Code.RECEIVER_DEACTIVATED: Declared(
        422, "A receiver of the message is deactivated; `errors` names each one."
    ),
    Code.REPLY_TO_NOT_FOUND: Declared(422, "`reply_to` names no message in the sender's mailbox."),
    Code.CONTEXT_MISMATCH: Declared(
        422,
        "A reply names another context than its thread's, or a send with a "
        "`context_token` names a receiver who is not among the token's participants.",
    ),
    Code.NO_RECIPIENT_CAN_RECEIVE: Declared(
        422,
        "A server send none of whose recipients can receive (unknown or deactivated); "
        "`errors` names each one. Nothing is stored.",
    ),
    Code.IDEMPOTENCY_KEY_REUSED: Declared(
        422, "The `Idempotency-Key` was used before for a different request."
    ),
    Code.WEBHOOK_URL_REFUSED: Declared(
        422,
        "A webhook URL that is not http(s), or whose host resolves to a loopback, private, "
        "link-local or other non-public address while MAILSLOT_WEBHOOK_ALLOW_PRIVATE is off.",
    ),
    Code.TOO_MANY_BLOCKS: Declared(
        422, "Blocking one more user than a user may block (MAX_BLOCKS, 1,000): unblock some."
    ),
    Code.RATE_LIMITED: Declared(
        429, "A request or failed sign-in budget is spent; `Retry-After` says when to retry."
    ),
    Code.TOO_MANY_STREAMS: Declared(
        429,
        "The user has `MAILSLOT_MAX_STREAMS_PER_USER` live streams open already (a WebSocket "
        "closes with 4429).",
    ),
    Code.INTERNAL_ERROR: Declared(
        500, "An unexpected failure; the `request_id` is in the server's log."
    ),
    Code.SERVICE_UNAVAILABLE: Declared(
        503, "`/readyz`: the database is unreachable, or the server is shutting down."
    ),
    Code.SEND_HOOK_UNAVAILABLE: Declared(
        503,
        "The host's pre-send hook did not answer in time or failed, and the operator set "
        "MAILSLOT_SEND_HOOK_FAILURE=deny.",
    ),
    Code.DATABASE_UNAVAILABLE: Declared(
        503, "The database is down or saturated; retry after `Retry-After` seconds."
    ),
    Code.TOO_SLOW: Declared(
        1008, "A WebSocket client read too slowly and its buffer filled; reconnect with `since`."
    ),
    Code.SERVICE_RESTART: Declared(
        1012, "The server is restarting: reconnect (to another instance) with `since`."
    ),
    Code.TRY_AGAIN_LATER: Declared(
        1013,
        "A WebSocket stream could not read the database, to open or to go on: reconnect "
        "shortly with `since`.",
    ),
}


PAGE_HEAD = """\
# Errors

<!-- Generated from mailslot.errors.CODES by errors_page(); tests/test_errors.py keeps it
equal. Do not edit by hand. -->

Every error is `application/problem+json` (RFC 9457) with a stable `code` to switch on;
`title` is the status's phrase. Codes are API: a code is never renamed, and a new one is
only ever added. A WebSocket refuses or ends a stream by closing with 4000 + the status
and the code as the reason (4401 `invalid_token`, 4429 `too_many_streams`); the codes
whose status is a close code (1008, 1012, 1013) are only ever a close's reason. A
reserved code is answered by nothing today; a client may still meet it later.

| code | status | title | when |
|---|---|---|---|
"""


def errors_page() -> str:
    """docs/errors.md: the registry as a Markdown table, in `Code`'s order."""
    rows = []
    for code, declared in CODES.items():
        status = f"WebSocket {declared.status}" if declared.websocket_only else declared.status
        when = f"Seed A only. {declared.when}" if declared.seed_a else declared.when
        when = f"Reserved. {when}" if declared.reserved else when
        rows.append(f"| `{code}` | {status} | {declared.title} | {when} |\n")
    return PAGE_HEAD + "".join(rows)


class AppError(Exception):
    """Base of every error a client may see. Subclasses set their code; the status is the
    code's (`CODES`)."""

    code: ClassVar[Code] = Code.BAD_REQUEST
    status: ClassVar[int] = CODES[Code.BAD_REQUEST].status

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.status = CODES[cls.code].status

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
    code = Code.INVALID_PARAMETER


class UnknownRequest(InvalidParameter):
    """Seed A's `request=` parameter is missing or names no operation of this address."""

    code = Code.UNKNOWN_REQUEST


class Unauthenticated(AppError):
    code = Code.NOT_AUTHENTICATED

    def __init__(self, detail: str, **kwargs: Any) -> None:
        super().__init__(detail, **kwargs)
        self.headers.setdefault("WWW-Authenticate", "Bearer")


class InvalidCredentials(Unauthenticated):
    code = Code.INVALID_CREDENTIALS


class InvalidToken(Unauthenticated):
    code = Code.INVALID_TOKEN


class InvalidTicket(Unauthenticated):
    code = Code.INVALID_TICKET


class CredentialsMissing(Unauthenticated):
    """Seed A: the query string lacks `username` or `password`."""

    code = Code.CREDENTIALS_MISSING


class SessionNotStarted(Unauthenticated):
    """Seed A: the credentials are right but no session was started with `//login`."""

    code = Code.SESSION_NOT_STARTED


class InvalidServerKey(Unauthenticated):
    code = Code.INVALID_SERVER_KEY


class ServerKeyNotAccepted(Unauthenticated):
    code = Code.SERVER_KEY_NOT_ACCEPTED


class UserTokenNotAccepted(Unauthenticated):
    code = Code.USER_TOKEN_NOT_ACCEPTED


class Forbidden(AppError):
    code = Code.FORBIDDEN


class InsufficientScope(Forbidden):
    code = Code.INSUFFICIENT_SCOPE


class NotYourMailbox(Forbidden):
    code = Code.NOT_YOUR_MAILBOX


class NotAReceiver(Forbidden):
    code = Code.NOT_A_RECEIVER


class WrongPassword(Forbidden):
    """A signed-in user confirming a change gave a wrong current password."""

    code = Code.WRONG_PASSWORD


class NotTheSender(Forbidden):
    code = Code.NOT_THE_SENDER


class NotYourMessage(Forbidden):
    code = Code.NOT_YOUR_MESSAGE


class InvalidContext(Forbidden):
    """A context token that is forged, altered, expired or not the sender's."""

    code = Code.INVALID_CONTEXT


class AccountDeactivated(Forbidden):
    """The right password of a deactivated account."""

    code = Code.ACCOUNT_DEACTIVATED


class AccountSuspended(Forbidden):
    """A send by a suspended user: they may sign in and read, not send."""

    code = Code.ACCOUNT_SUSPENDED


class SystemTakesNoReplies(Forbidden):
    """A message to the system account while replies to it are off."""

    code = Code.SYSTEM_DOES_NOT_TAKE_REPLIES


class ReadOnlyToken(Forbidden):
    """A token without the `write` scope on a route that changes something."""

    code = Code.READ_ONLY_TOKEN


class PolicyDenied(Forbidden):
    code = Code.POLICY_DENIED


class InvalidDownloadLink(Forbidden):
    code = Code.INVALID_DOWNLOAD_LINK


class NotFound(AppError):
    code = Code.NOT_FOUND


class UserNotFound(NotFound):
    code = Code.USER_NOT_FOUND


class MessageNotFound(NotFound):
    code = Code.MESSAGE_NOT_FOUND


class NoUnreadMessage(NotFound):
    code = Code.NO_UNREAD_MESSAGE


class ThreadNotFound(NotFound):
    code = Code.THREAD_NOT_FOUND


class AccessLogOff(NotFound):
    code = Code.ACCESS_LOG_OFF


class TokenNotFound(NotFound):
    code = Code.TOKEN_NOT_FOUND


class WebhookNotFound(NotFound):
    code = Code.WEBHOOK_NOT_FOUND


class DeliveryNotFound(NotFound):
    code = Code.DELIVERY_NOT_FOUND


class JobNotFound(NotFound):
    code = Code.JOB_NOT_FOUND


class ExportNotFound(NotFound):
    code = Code.EXPORT_NOT_FOUND


class ReportNotFound(NotFound):
    code = Code.REPORT_NOT_FOUND


class Conflict(AppError):
    code = Code.CONFLICT


class UsernameTaken(Conflict):
    code = Code.USERNAME_TAKEN


class UsernameHeld(UsernameTaken):
    """The username belonged to an account erased less than the hold period ago."""

    code = Code.USERNAME_HELD


class EmailTaken(Conflict):
    code = Code.EMAIL_TAKEN


class IdempotencyKeyInFlight(Conflict):
    code = Code.IDEMPOTENCY_KEY_IN_FLIGHT


class WebhookDisabled(Conflict):
    code = Code.WEBHOOK_DISABLED


class ReportResolved(Conflict):
    code = Code.REPORT_RESOLVED


class Gone(AppError):
    code = Code.GONE


class ResyncRequired(Gone):
    """The changes after the client's sequence are no longer all kept: it must reload."""

    code = Code.RESYNC_REQUIRED


class ExportExpired(Gone):
    """The export's link has expired or its archive is gone: start a new one."""

    code = Code.EXPORT_EXPIRED


class Unprocessable(AppError):
    code = Code.VALIDATION_FAILED


class UnknownReceiver(Unprocessable):
    code = Code.UNKNOWN_RECEIVER


class ReceiverDeactivated(UnknownReceiver):
    """A receiver is deactivated: refused as an unknown one is, with a code of its own."""

    code = Code.RECEIVER_DEACTIVATED


class NoRecipientCanReceive(Unprocessable):
    code = Code.NO_RECIPIENT_CAN_RECEIVE


class ReplyToNotFound(Unprocessable):
    code = Code.REPLY_TO_NOT_FOUND


class ContextMismatch(Unprocessable):
    code = Code.CONTEXT_MISMATCH


class IdempotencyKeyReused(Unprocessable):
    code = Code.IDEMPOTENCY_KEY_REUSED


class WebhookUrlRefused(Unprocessable):
    code = Code.WEBHOOK_URL_REFUSED


class TooManyBlocks(Unprocessable):
    code = Code.TOO_MANY_BLOCKS


class TooManyRequests(AppError):
    code = Code.RATE_LIMITED


class TooManyStreams(TooManyRequests):
    """The user has MAILSLOT_MAX_STREAMS_PER_USER live streams open already."""

    code = Code.TOO_MANY_STREAMS


class ServiceUnavailable(AppError):
    code = Code.SERVICE_UNAVAILABLE


class SendHookUnavailable(ServiceUnavailable):
    code = Code.SEND_HOOK_UNAVAILABLE
