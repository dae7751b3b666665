"""`mailslot serve` hands uvicorn the protections uvicorn lacks by default."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from typer.testing import CliRunner

from mailslot import cli
from mailslot.cli import serve
from mailslot.config import get_settings
from mailslot.server import DeadlineProtocol


def test_serve_sets_request_deadlines_and_frame_limit(monkeypatch, tmp_path) -> None:
    seen: dict[str, Any] = {}
    monkeypatch.setattr(serve, "run_uvicorn", lambda config: seen.update(vars(config)))
    for name, value in {
        "MAILSLOT_DATA_DIR": str(tmp_path),
        "MAILSLOT_WS_MAX_BYTES": "32768",
        "MAILSLOT_SECRET_KEY": "cli-test-secret-key-0123456789",
        "MAILSLOT_HEADER_TIMEOUT": "10",  # the flag below overwrites it; restored after
    }.items():
        monkeypatch.setenv(name, value)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        served = CliRunner().invoke(cli.app, ["serve", "--no-migrate", "--header-timeout", "3"])
        assert served.exit_code == 0, served.output
        assert get_settings().header_timeout == 3
    finally:
        get_settings.cache_clear()
        root.handlers[:], root.level = handlers, level
        logging.getLogger("uvicorn.access").disabled = False
    assert seen["app"] == "mailslot.app:asgi"
    module, _, name = seen["http"].partition(":")
    assert getattr(pytest.importorskip(module), name) is DeadlineProtocol
    assert seen["ws_max_size"] == 32768
    assert seen["access_log"] is False
    assert seen["forwarded_allow_ips"] == "127.0.0.1,::1"
