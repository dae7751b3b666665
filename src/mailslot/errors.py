"""Errors a client may see, and their RFC 9457 problem+json rendering.

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

Clients switch on `code`; codes are API and are never renamed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any, ClassVar, cast

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException
from starlette.responses import Response

log = logging.getLogger("mailslot.errors")

PROBLEM_JSON = "application/problem+json"


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


class Problem(BaseModel):
    """An RFC 9457 problem detail; `code` is the stable, machine-readable reason."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    code: str
    instance: str | None = None
    request_id: str | None = None
    errors: list[dict[str, str]] | None = None


def problem_response(
    status: int,
    code: str,
    detail: str,
    *,
    instance: str | None = None,
    request_id: str | None = None,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if instance is not None:
        body["instance"] = instance
    if request_id is not None:
        body["request_id"] = request_id
    if errors is not None:
        body["errors"] = errors
    return Response(json.dumps(body), status, headers=headers, media_type=PROBLEM_JSON)


# What any route that reads a JSON body may answer: malformed, too large, not JSON, invalid.
JSON_BODY = (400, 413, 415, 422)


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entry documenting the problem statuses a route can answer."""
    return {
        status: {
            "model": Problem,
            "description": HTTPStatus(status).phrase,
            "content": {PROBLEM_JSON: {}},
        }
        for status in statuses
    }


PROBLEM_SCHEMA = {"$ref": "#/components/schemas/Problem"}
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
    }
}


def document_problems(spec: dict[str, Any]) -> dict[str, Any]:
    """Make the OpenAPI document say what the service answers: every error is
    problem+json (FastAPI would write application/json); an operation with a body can
    answer 400, 413, 415 and 422; one that reaches the database, 503; 429 and 503 carry
    Retry-After. And an integer's bounds stay integers: FastAPI's OpenAPI model reads
    them as floats, so a generated client or fuzzer would compute ids near 2**63 in floats
    (the ids' bound is `lt=2**63`, a float exactly)."""
    _integer_bounds(spec)
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Problem", Problem.model_json_schema())
    for item in spec.get("paths", {}).values():
        for operation in item.values():
            responses: dict[str, Any] = operation.setdefault("responses", {})
            extra = set()
            if "requestBody" in operation:
                extra |= {400, 413, 415, 422}
            if "requestBody" in operation or "401" in responses:
                extra.add(503)
            for number in extra:
                responses.setdefault(str(number), {"description": HTTPStatus(number).phrase})
            for status, response in responses.items():
                if status.isdigit() and int(status) >= 400:
                    response["content"] = {PROBLEM_JSON: {"schema": PROBLEM_SCHEMA}}
                    if status in ("429", "503"):
                        response["headers"] = RETRY_AFTER
    if "HTTPValidationError" in schemas and "HTTPValidationError" not in json.dumps(spec["paths"]):
        schemas.pop("HTTPValidationError")
        schemas.pop("ValidationError", None)
    return spec


_BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")


def _integer_bounds(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("type") == "integer":
            for key in _BOUNDS:
                if isinstance(node.get(key), float) and node[key].is_integer():
                    node[key] = int(node[key])
        for value in node.values():
            _integer_bounds(value)
    elif isinstance(node, list):
        for value in node:
            _integer_bounds(value)


def _request_id(request: Request) -> str | None:
    return cast(str | None, request.scope.get("state", {}).get("request_id"))


def _pointer(loc: tuple[Any, ...] | list[Any]) -> str:
    return "/" + "/".join(str(part) for part in loc)


async def _app_error(request: Request, exc: Exception) -> Response:
    exc = cast(AppError, exc)
    return problem_response(
        exc.status,
        exc.code,
        exc.detail,
        instance=request.url.path,
        errors=exc.errors,
        headers=exc.headers,
    )


async def _validation_error(request: Request, exc: Exception) -> Response:
    exc = cast(RequestValidationError, exc)
    issues = exc.errors()
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body_unparsed = any(tuple(issue.get("loc", ())) == ("body",) for issue in issues)
    if body_unparsed and media_type and not media_type.endswith("json"):
        return problem_response(
            415,
            "unsupported_media_type",
            "Send the body as JSON, with 'Content-Type: application/json'.",
            instance=request.url.path,
        )
    if any(issue.get("type") == "json_invalid" for issue in issues):
        return problem_response(
            400, "malformed_json", "The request body is not valid JSON.", instance=request.url.path
        )
    errors = [
        {"pointer": _pointer(issue.get("loc", ())), "detail": str(issue.get("msg", "invalid"))}
        for issue in issues
    ]
    detail = "; ".join(f"{e['pointer']}: {e['detail']}" for e in errors[:5])
    return problem_response(
        422,
        "validation_failed",
        f"The request is not valid: {detail}.",
        instance=request.url.path,
        errors=errors,
    )


_HTTP_CODES = {
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


async def _http_error(request: Request, exc: Exception) -> Response:
    exc = cast(HTTPException, exc)
    code = _HTTP_CODES.get(
        exc.status_code, HTTPStatus(exc.status_code).phrase.lower().replace(" ", "_")
    )
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).description
    if exc.status_code == 404 and detail == "Not Found":
        detail = "There is nothing at this address."
    headers = dict(exc.headers) if exc.headers else {}
    if exc.status_code == 405:
        detail = f"{request.method} is not allowed here."
        # Starlette names only the first route that matched the path; RFC 9110 wants all.
        headers["Allow"] = ", ".join(sorted(_allowed_methods(request)))
    return problem_response(
        exc.status_code, code, detail, instance=request.url.path, headers=headers or None
    )


def _allowed_methods(request: Request) -> set[str]:
    from fastapi.routing import iter_route_contexts
    from starlette.routing import Match

    allowed: set[str] = set()
    for route in iter_route_contexts(request.app.routes):
        match, _ = route.matches(request.scope)
        if match is not Match.NONE:
            allowed |= route.methods or set()
    return allowed


async def _database_unavailable(request: Request, exc: Exception) -> Response:
    """A lost or exhausted database is a 503 the client may retry, never a 500."""
    if isinstance(exc, sa_exc.DBAPIError) and not _is_connectivity_error(exc):
        return await _unexpected_error(request, exc)
    log.warning("database unavailable: %s", type(exc).__name__)
    return problem_response(
        503,
        "database_unavailable",
        "The database is unavailable; retry shortly.",
        instance=request.url.path,
        request_id=_request_id(request),
        headers={"Retry-After": "1"},
    )


# SQLSTATE classes of a database that is going or not yet back: 08 connection exception,
# 57 operator intervention (57P01 admin shutdown, 57P02 crash shutdown, 57P03 "the
# database system is starting up"), 53 insufficient resources (too many connections).
UNAVAILABLE_SQLSTATE_CLASSES = ("08", "53", "57")


def _is_connectivity_error(exc: sa_exc.DBAPIError) -> bool:
    # OperationalError covers a refused connection and SQLite's "database is locked".
    if exc.connection_invalidated or isinstance(
        exc, sa_exc.InterfaceError | sa_exc.OperationalError
    ):
        return True
    sqlstate = getattr(exc.orig, "sqlstate", None)
    return isinstance(sqlstate, str) and sqlstate[:2] in UNAVAILABLE_SQLSTATE_CLASSES


async def _unexpected_error(request: Request, exc: Exception) -> Response:
    request_id = _request_id(request)
    log.error("unhandled error (request %s)", request_id, exc_info=exc)
    return problem_response(
        500,
        "internal_error",
        f"Something went wrong on our side. Quote request id {request_id} when reporting it.",
        request_id=request_id,
    )


# Most specific first: error_response takes the first that matches.
_HANDLERS: tuple[
    tuple[type[Exception], Callable[[Request, Exception], Awaitable[Response]]], ...
] = (
    (AppError, _app_error),
    (RequestValidationError, _validation_error),
    (HTTPException, _http_error),
    (sa_exc.TimeoutError, _database_unavailable),
    (sa_exc.DBAPIError, _database_unavailable),
    # asyncpg raises a plain OSError (connection refused) while PostgreSQL is down.
    (OSError, _database_unavailable),
    (Exception, _unexpected_error),
)
# What a deferred stream (middleware.defer) may meet before it starts and answers itself.
EXPECTED_ERRORS = (AppError, sa_exc.TimeoutError, sa_exc.DBAPIError, OSError)


def install_error_handlers(app: FastAPI) -> None:
    for kind, handler in _HANDLERS:
        app.add_exception_handler(kind, handler)


async def error_response(request: Request, exc: Exception) -> Response:
    """The answer the installed handlers give `exc`, for code that runs after the app's
    exception handling has returned (a deferred stream)."""
    handler = next(handler for kind, handler in _HANDLERS if isinstance(exc, kind))
    return await handler(request, exc)
