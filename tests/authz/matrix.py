"""The authorization matrix table (matrix.toml) and how its request templates are filled."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

MATRIX_PATH = Path(__file__).with_name("matrix.toml")
MATRIX: dict[str, dict[str, Any]] = tomllib.loads(MATRIX_PATH.read_text())
ACTORS = ("self", "other", "none", "malformed", "expired", "revoked", "deleted")


def fill(template: Any, values: dict[str, str]) -> Any:
    """The template with `{placeholder}`s replaced, inside strings, lists and tables."""
    if isinstance(template, str):
        return template.format_map(values)
    if isinstance(template, dict):
        return {key: fill(value, values) for key, value in template.items()}
    if isinstance(template, list):
        return [fill(value, values) for value in template]
    return template
