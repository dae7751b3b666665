"""What the OpenAPI document says beyond FastAPI's defaults: operation ids that are the route
functions' names, and the problem statuses of each operation with the codes each can carry,
read from the registry (errors.CODES)."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from fastapi.routing import APIRoute

from mailslot.errors import CODES
from mailslot.problems import PROBLEM_JSON, Problem


def operation_id(route: APIRoute) -> str:
    """A route's operation id is its function's name (`post_message`), not FastAPI's
    name + path + method: generated clients name their methods after it, so it must not
    move with a path. tests/test_openapi.py pins the list; route functions' names are
    unique across routers (seed A's carry `seed_a_`)."""
    return route.name


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
# Every code a problem+json body may carry, reserved ones included (the close-only
# reasons of a WebSocket are never in a body).
PROBLEM_CODES = [str(code) for code, declared in CODES.items() if not declared.websocket_only]
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
    Retry-After. Problem's `code` is an enum of the registry's problem codes, and each
    error response names the codes of its status (seed A's own only at seed A's `//name`
    addresses). And an integer's bounds stay integers: FastAPI's OpenAPI model reads them
    as floats, so a generated client or fuzzer would compute ids near 2**63 in floats (the
    ids' bound is `lt=2**63`, a float exactly)."""
    _integer_bounds(spec)
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Problem", Problem.model_json_schema())
    schemas["Problem"]["properties"]["code"]["enum"] = PROBLEM_CODES
    for path, item in spec.get("paths", {}).items():
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
                    response["description"] = describe(int(status), seed_a=path.startswith("//"))
                    if status in ("429", "503"):
                        response["headers"] = RETRY_AFTER
    if "HTTPValidationError" in schemas and "HTTPValidationError" not in json.dumps(spec["paths"]):
        schemas.pop("HTTPValidationError")
        schemas.pop("ValidationError", None)
    return spec


def describe(status: int, *, seed_a: bool) -> str:
    """An error response's description: the status's phrase and the codes answered with it
    (at a seed A address, or elsewhere)."""
    codes = [
        f"`{code}`"
        for code, declared in CODES.items()
        if declared.status == status and not declared.reserved and (seed_a or not declared.seed_a)
    ]
    phrase = HTTPStatus(status).phrase
    return f"{phrase}: `code` is one of {', '.join(codes)}." if codes else phrase


def password_policy(node: Any, min_length: int) -> None:
    """Write MAILSLOT_PASSWORD_MIN_LENGTH where the schema marks a new password
    (accounts.schemas.Password), so the document says what this deployment accepts."""
    if isinstance(node, dict):
        schema = node.get("schema")
        if isinstance(schema, dict) and schema.get("x-password") and "description" in node:
            node["description"] = f"At least {min_length} characters."  # a query parameter
        if node.pop("x-password", False):
            node["minLength"] = min_length
            node["description"] = f"At least {min_length} characters."
        for value in node.values():
            password_policy(value, min_length)
    elif isinstance(node, list):
        for value in node:
            password_policy(value, min_length)


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
