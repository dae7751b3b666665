"""The OpenAPI document: its problem codes come from the registry."""

from __future__ import annotations

from typing import Any

import pytest

from mailslot.app import create_app
from mailslot.config import Settings
from mailslot.errors import CODES


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return create_app(Settings()).openapi()


def test_problem_codes_are_the_registry(spec: dict[str, Any]) -> None:
    codes = spec["components"]["schemas"]["Problem"]["properties"]["code"]["enum"]
    assert codes == [code for code, declared in CODES.items() if not declared.websocket_only]


def test_each_problem_response_names_the_codes_of_its_status(spec: dict[str, Any]) -> None:
    for item in spec["paths"].values():
        for operation in item.values():
            for status, response in operation["responses"].items():
                if int(status) < 400:
                    continue
                for code, declared in CODES.items():
                    if declared.status == int(status) and not declared.reserved:
                        assert f"`{code}`" in response["description"], (status, code)
