"""JSON lines from real processes: `mailslot serve` with two workers (uvicorn's own lines
included, each worker its own instance) and the audit records of `mailslot keys`."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from functools import partial
from typing import Any

import anyio
import httpx
import pytest
from sqlalchemy import select

from mailslot.keys.models import ServerKey
from mailslot.keys.service import parse_scopes
from mailslot.state import app_state
from tests.support.servers import MailslotServer

pytestmark = [pytest.mark.process, pytest.mark.timeout(180)]


def parse(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines()]


def test_each_worker_is_an_instance_of_its_own(tmp_path) -> None:
    env = {"MAILSLOT_LOG_FORMAT": "json"}
    server = MailslotServer(tmp_path / "data", env=env, args=("--workers", "2"))
    server.start(timeout=90)  # spawned workers import everything anew: slow on a busy machine
    try:
        sent = [f"probe-{n}" for n in range(20)]
        for request_id in sent:
            answer = httpx.get(f"{server.url}/healthz", headers={"X-Request-ID": request_id})
            assert answer.headers["x-request-id"] == request_id
    finally:
        server.stop()
    lines = parse(server.log())
    started = {
        int(match.group(1)): line["instance"]
        for line in lines
        if (match := re.fullmatch(r"Started server process \[(\d+)\]", line["event"]))
    }
    assert len(started) == 2  # each worker says so, in JSON
    host = os.uname().nodename
    assert started == {pid: f"{host}:{server.port}:{pid}" for pid in started}
    access = [line for line in lines if line["logger"] == "mailslot.access"]
    assert {line["instance"] for line in access} <= set(started.values())
    probes = [line for line in access if line["request_id"] in sent]  # not the readiness checks
    assert sorted(line["request_id"] for line in probes) == sorted(sent)
    assert {(line["route"], line["status"]) for line in probes} == {("/healthz", 200)}


@pytest.mark.anyio
async def test_key_commands_write_audit_records(app, environment) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAILSLOT_")}
    env |= environment | {"MAILSLOT_LOG_FORMAT": "json"}
    name = f"audited-{uuid.uuid4().hex[:8]}"

    async def mailslot(*args: str) -> subprocess.CompletedProcess[str]:
        # In a thread: the app's tasks go on meanwhile (a blocked loop could hold SQLite's
        # write lock).
        done = await anyio.to_thread.run_sync(
            partial(
                subprocess.run,
                [sys.executable, "-m", "mailslot", "keys", *args],
                env=env,
                capture_output=True,
                text=True,
            )
        )
        assert done.returncode == 0, done.stderr
        return done

    created = await mailslot(
        "create", "--name", name, "--scope", "users:write", "--scope", "audit:read"
    )
    revoked = await mailslot("revoke", name)
    async with app_state(app).sessions() as db:
        key_id = await db.scalar(select(ServerKey.id).where(ServerKey.name == name))
    (made,) = [line for line in parse(created.stderr) if line["logger"] == "mailslot.audit"]
    assert (made["action"], made["key_id"], made["name"]) == ("key.created", key_id, name)
    assert made["scopes"] == " ".join(parse_scopes(["users:write", "audit:read"]))
    assert made["level"] == "info"
    assert re.fullmatch(rf"{re.escape(os.uname().nodename)}:\d+", made["instance"])  # host:pid
    assert created.stdout.strip() not in created.stderr
    (gone,) = [line for line in parse(revoked.stderr) if line["logger"] == "mailslot.audit"]
    assert (gone["action"], gone["key_id"], gone["name"]) == ("key.revoked", key_id, name)
