"""RFC 9457 problem+json: the Problem body, the exception handlers that answer with it,
and the same answer for code that runs after the framework's handling (a deferred stream)."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any, cast

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException
from starlette.responses import Response

from mailslot.errors import AppError, Code

log = logging.getLogger("mailslot.errors")

PROBLEM_JSON = "application/problem+json"


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
    code: Code,
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
            Code.UNSUPPORTED_MEDIA_TYPE,
            "Send the body as JSON, with 'Content-Type: application/json'.",
            instance=request.url.path,
        )
    if any(issue.get("type") == "json_invalid" for issue in issues):
        return problem_response(
            400,
            Code.MALFORMED_JSON,
            "The request body is not valid JSON.",
            instance=request.url.path,
        )
    errors = [
        {"pointer": _pointer(issue.get("loc", ())), "detail": str(issue.get("msg", "invalid"))}
        for issue in issues
    ]
    detail = "; ".join(f"{e['pointer']}: {e['detail']}" for e in errors[:5])
    return problem_response(
        422,
        Code.VALIDATION_FAILED,
        f"The request is not valid: {detail}.",
        instance=request.url.path,
        errors=errors,
    )


# The statuses Starlette and FastAPI raise HTTPException with, and 406 and 413 kept for
# the day they do. Any other status would be answered bad_request or internal_error.
_HTTP_CODES = {
    400: Code.BAD_REQUEST,  # a body FastAPI cannot read (not UTF-8)
    401: Code.NOT_AUTHENTICATED,  # StaticFiles, for a file it may not read
    404: Code.NOT_FOUND,
    405: Code.METHOD_NOT_ALLOWED,
    406: Code.NOT_ACCEPTABLE,
    413: Code.PAYLOAD_TOO_LARGE,
    415: Code.UNSUPPORTED_MEDIA_TYPE,
}


async def _http_error(request: Request, exc: Exception) -> Response:
    exc = cast(HTTPException, exc)
    code = _HTTP_CODES.get(
        exc.status_code, Code.BAD_REQUEST if exc.status_code < 500 else Code.INTERNAL_ERROR
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
        Code.DATABASE_UNAVAILABLE,
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
        Code.INTERNAL_ERROR,
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
# What a deferred stream (realtime.deferred.defer) may meet before it starts and answers itself.
EXPECTED_ERRORS = (AppError, sa_exc.TimeoutError, sa_exc.DBAPIError, OSError)


def install_error_handlers(app: FastAPI) -> None:
    for kind, handler in _HANDLERS:
        app.add_exception_handler(kind, handler)


async def error_response(request: Request, exc: Exception) -> Response:
    """The answer the installed handlers give `exc`, for code that runs after the app's
    exception handling has returned (a deferred stream)."""
    handler = next(handler for kind, handler in _HANDLERS if isinstance(exc, kind))
    return await handler(request, exc)
