"""Every shell walk-through of the README and the docs works when pasted, against a real
server, and prints what its page says it prints; so does the Python walk-through with the
generated client (docs/examples/embedding.py)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.servers import MailslotServer

pytestmark = [pytest.mark.process, pytest.mark.timeout(90)]

ROOT = Path(__file__).parents[2]


@dataclass(frozen=True)
class Walkthrough:
    """A page's shell block after `lead_in`, and the ```text block that follows it: the
    output the page shows, where `...` stands for anything on its line."""

    script: str
    shown: str


def walkthrough(page: str, lead_in: str) -> Walkthrough:
    after = (ROOT / page).read_text().split(f"{lead_in}\n\n```sh\n", 1)[1]
    script, rest = after.split("```", 1)
    shown = rest.split("```text\n", 1)[1].split("```", 1)[0]
    return Walkthrough(script, shown)


README = walkthrough("README.md", "paste this:")
API = walkthrough("docs/api.md", "paste this next:")
THREADS = walkthrough("docs/api.md", "paste this too:")
LIVE = walkthrough("docs/live.md", "paste this as well:")
SEED_A = walkthrough("docs/older-apis.md", "paste this into a shell:")
EMBEDDING = walkthrough("docs/clients.md", "run it against the server:")
EXPORT = walkthrough("docs/your-data.md", "with your own account, sign in instead):")


def paste(tmp_path, *walkthroughs: Walkthrough, cwd: Path | None = None) -> str:
    """Run the blocks, in one shell (in `cwd`, for one that writes files), against a
    fresh server; what they print. Checks it against what the pages show."""
    with MailslotServer(tmp_path / "data") as server:
        script = "".join(w.script for w in walkthroughs)
        script = script.replace("B=http://127.0.0.1:8000", f"B={server.url}")
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=cwd,
        )
    assert result.returncode == 0, result.stderr
    out = result.stdout.replace("\r\n", "\n")  # curl -D prints headers as they came
    assert_shown(out, "".join(w.shown for w in walkthroughs))
    return out


def assert_shown(out: str, shown: str) -> None:
    lines, expected = out.splitlines(), shown.splitlines()
    assert len(lines) == len(expected), f"printed:\n{out}\npage shows:\n{shown}"
    for line, page_line in zip(lines, expected, strict=True):
        pattern = ".*".join(re.escape(part) for part in page_line.split("..."))
        assert re.fullmatch(pattern, line), f"printed:\n{line}\npage shows:\n{page_line}"


def test_readme_walkthrough_and_its_sequel_work_when_pasted(tmp_path) -> None:
    """The README's walk-through, then the API page's, which goes on in the same shell."""
    out = paste(tmp_path, README, API)
    readme = "\n".join(out.splitlines()[: len(README.shown.splitlines())])
    assert '"unread":1' in readme
    assert re.search(r'"subject":"Lunch\?".*"read":true', readme)
    assert out.splitlines().count("204") == 2  # whole lines: a timestamp may hold "204"
    assert out.rstrip().endswith('"code": "invalid_token", "instance": "/users/alice/messages"}')


def test_export_walkthrough_works_when_pasted(tmp_path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    export, files, refused, retry = paste(tmp_path, EXPORT, cwd=work).splitlines()
    assert '"progress":{"done":1,"total":1}' in export
    assert files.endswith(" 8 files")
    assert refused.startswith("HTTP/1.1 429")
    assert 0 < int(retry.split(":")[1]) <= 3600
    assert (work / "dana.zip").stat().st_size > 0


def test_seed_a_walkthrough_works_when_pasted(tmp_path) -> None:
    lines = paste(tmp_path, SEED_A).splitlines()
    assert lines[:4] == [
        '{"username":"user1","logged_in":false}',
        '{"username":"user2","logged_in":false}',
        '{"username":"user1","logged_in":true}',
        '{"username":"user2","logged_in":true}',
    ]
    message = (
        '"sender":"user1","receiver":"user2","subject":"message subject three",'
        '"message":"message body three","timestamp":"Fri, 09 Oct 2020 23:01:26 GMT"'
    )
    assert re.fullmatch(r'\{"id":1,' + re.escape(message) + r"\}", lines[4])
    assert lines[5] == f"[{lines[4]}]"  # user2's unread
    assert lines[6] == lines[4]  # user2 reads it
    assert lines[7] == f"[{lines[4]}]"  # user1's get_all
    assert lines[8] == f'{{"deleted":{lines[4]},"deleted_for":"everyone"}}'
    assert lines[9] == "[]"
    assert lines[10] == '{"username":"user1","logged_in":false}'
    assert '"code": "session_not_started"' in lines[11]


def test_threads_walkthrough_works_when_pasted(tmp_path) -> None:
    lines = paste(tmp_path, THREADS).splitlines()
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


def test_live_updates_walkthrough_works_when_pasted(tmp_path) -> None:
    out = paste(tmp_path, LIVE)
    stream, changes, ticket = _live_parts(out)
    assert stream.startswith("retry: 2000\nid: 0\n\n")
    assert "id: 1\nevent: message.created\ndata: " in stream
    assert '"box":"inbox"' in stream
    assert "id: 2\nevent: message.updated\ndata: " in stream
    assert changes.startswith('{"changes":[{"type":"message.updated","id":2,')
    assert changes.endswith('"latest":2}')
    assert re.fullmatch(r'\{"ticket":"[A-Za-z0-9_-]{43}","expires_in":30\}', ticket)


def _live_parts(out: str) -> tuple[str, str, str]:
    """The stream's output, then the two JSON lines the block prints last."""
    *stream, changes, ticket = out.rstrip("\n").split("\n")
    return "\n".join(stream), changes, ticket


def test_embedding_walkthrough_runs_with_the_generated_client(tmp_path) -> None:
    script = EMBEDDING.script.strip().split()
    assert script[1:] == ["docs/examples/embedding.py", "http://127.0.0.1:8000"]
    with MailslotServer(tmp_path / "data") as server:
        result = subprocess.run(
            [sys.executable, ROOT / script[1], server.url],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 0, result.stderr
    assert_shown(result.stdout, EMBEDDING.shown)
    signed_up, _, sent, unread, marked, read, refused = result.stdout.splitlines()
    run = signed_up.split()[0].removeprefix("alice-")
    assert re.fullmatch(rf"alice-{run} sent message (\d+) to bob-{run}; .* message \1", sent)
    message = sent.split()[3]
    assert f'#{message} "Lunch?" from alice-{run} (unread)' in unread
    assert marked == f"bob-{run} read message {message}; 0 unread"
    assert read.endswith(f'#{message} "Lunch?" from alice-{run}')
    assert refused == f"bob-{run} listing alice-{run}'s inbox: 403 not_your_mailbox"


HOST = walkthrough("docs/embedding.md", "from the repository, paste this:")


def test_the_hosts_whole_flow_runs_when_pasted(tmp_path) -> None:
    """docs/embedding.md's block: a key made with `mailslot keys create` on the server's
    database, then the script's user and server API steps."""
    out = paste_beside_server(tmp_path, HOST.script.replace("http://127.0.0.1:8000", "$B"))
    assert_shown(out, HOST.shown)
    assert "msk_" not in out  # the key is never printed by the script


def paste_beside_server(tmp_path, script: str) -> str:
    """Run the block from the repository with a fresh server's environment (its
    database, as an operator's shell has it; $B its address); what it prints."""
    with MailslotServer(tmp_path / "data") as server:
        env = {k: v for k, v in os.environ.items() if not k.startswith("MAILSLOT_")}
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script],
            cwd=ROOT,
            env=env | server.env | {"B": server.url},
            capture_output=True,
            text=True,
            timeout=80,
            check=False,
        )
    assert result.returncode == 0, result.stderr
    return result.stdout


USERS = walkthrough("docs/cli.md", "this:")


def test_the_user_commands_run_when_pasted(tmp_path) -> None:
    """docs/cli.md's `mailslot user` block, as an operator runs it."""
    assert_shown(paste_beside_server(tmp_path, USERS.script), USERS.shown)
