"""The authorization matrix table (matrix.toml): its cases, and how requests are filled."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

MATRIX_PATH = Path(__file__).with_name("matrix.toml")
MATRIX: dict[str, Any] = tomllib.loads(MATRIX_PATH.read_text())
ACTORS = (
    "self",
    "other",
    "none",
    "malformed",
    "expired",
    "revoked",
    "deleted",
    "key",
    "key_lacking",
    "key_revoked",
    "readonly",
    "deactivated",
)
_ONE_PLACEHOLDER = re.compile(r"^\{(\w+)\}$")


def route_cases(key: str) -> list[dict[str, Any]]:
    """The cases of one route: a table, an array of tables, or `same_as` another route."""
    entry = MATRIX[key]
    if isinstance(entry, dict) and "same_as" in entry:
        return route_cases(entry["same_as"])
    return entry if isinstance(entry, list) else [entry]


def cases() -> Iterator[tuple[str, int, dict[str, Any]]]:
    """(route key, case number, case) for every case that is exercised."""
    for key in MATRIX:
        for number, case in enumerate(route_cases(key)):
            if "skip" not in case:
                yield key, number, case


def fill(template: Any, values: dict[str, Any]) -> Any:
    """The template with `{placeholder}`s replaced, inside strings, lists and tables; a
    string that is one placeholder takes the value's own type (an id stays an integer)."""
    if isinstance(template, str):
        whole = _ONE_PLACEHOLDER.match(template)
        if whole and whole.group(1) in values:
            return values[whole.group(1)]
        return template.format_map(values)
    if isinstance(template, dict):
        return {key: fill(value, values) for key, value in template.items()}
    if isinstance(template, list):
        return [fill(value, values) for value in template]
    return template


def method_of(key: str) -> str:
    """The HTTP method of a route key ("WS" for a WebSocket; a mount is fetched with GET)."""
    method = key.split(" ", 1)[0]
    return "GET" if method == "MOUNT" else method


def target(key: str, case: dict[str, Any], values: dict[str, Any]) -> str:
    """The path and query string of a case's request (`path` when the key is a mount)."""
    template = case.get("path", key.split(" ", 1)[1])
    path = str(fill(template, {k: str(v) for k, v in values.items()}))
    if "query" in case:
        path += "?" + str(fill(case["query"], {k: str(v) for k, v in values.items()}))
    return path
