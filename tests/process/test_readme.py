"""The README's curl walk-through works when pasted, against a real server."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.servers import MailslotServer

pytestmark = [pytest.mark.process, pytest.mark.timeout(90)]

README = Path(__file__).parents[2] / "README.md"


def test_readme_walkthrough_works_when_pasted(tmp_path) -> None:
    text = README.read_text()
    block = text.split("paste this:\n\n```sh\n", 1)[1].split("```", 1)[0]
    with MailslotServer(tmp_path / "data") as server:
        script = block.replace("B=http://127.0.0.1:8000", f"B={server.url}")
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script], capture_output=True, text=True, timeout=60
        )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert '"unread":1' in out
    assert re.search(r'"subject":"Lunch\?".*"read":true', out)
    assert out.count("204") == 2
    assert out.rstrip().endswith('"code": "invalid_token", "instance": "/users/alice/messages"}')
