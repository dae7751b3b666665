"""Checking a refusal: its status, problem+json, and its code."""

from __future__ import annotations

from typing import Any

import httpx


def problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The problem body of `response`, which must be a `status` problem with `code`."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    return body
