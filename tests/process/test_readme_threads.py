"""The README's threads, search, trash and retries walk-through works when pasted."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.servers import MailslotServer

pytestmark = [pytest.mark.process, pytest.mark.timeout(90)]

README = Path(__file__).parents[2] / "README.md"


def test_readme_threads_walkthrough_works_when_pasted(tmp_path) -> None:
    block = README.read_text().split("then this:\n\n```sh\n", 1)[1].split("```", 1)[0]
    with MailslotServer(tmp_path / "data") as server:
        script = block.replace("B=http://127.0.0.1:8000", f"B={server.url}")
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script], capture_output=True, text=True, timeout=60
        )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].lower().strip() == "idempotent-replayed: true"
    reply, found, thread, deleted, trash, restored, erased, gone = lines[1:]
    question = int(re.findall(r'"reply_to":(\d+)', reply)[0])
    assert f'"thread_id":{question}' in reply
    assert '"receivers":["carol"]' in reply
    assert '"subject":"Re: Quarterly report"' in found
    assert f'"threads":[{{"thread_id":{question},"unread":1}}]' in found
    assert thread.count('"id":') == 2
    assert '"unread":1' in thread
    assert deleted == erased == "204"
    assert f'"id":{question}' in trash
    assert f'"id":{question}' in restored
    assert '"code":"message_not_found"' in gone.replace(" ", "")
