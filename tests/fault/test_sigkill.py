"""D1: SIGKILL a serving instance 10 times during a steady send load, restarting it each
time; afterwards every acknowledged message is stored exactly once (jepsen set check)."""

from __future__ import annotations

import random
import sys
from collections import Counter
from pathlib import Path

import anyio
import pytest

from mailslot.config import Settings
from tests.fault.harness import OK, SendLoad, check, read_everything, register
from tests.support.servers import MailslotServer

pytestmark = [pytest.mark.process, pytest.mark.anyio, pytest.mark.timeout(180)]

KILLS = 10
RATE = 50  # sends a second, open loop, over two instances


async def test_sigkill_loses_no_acknowledged_message(settings: Settings, tmp_path: Path) -> None:
    env = {"MAILSLOT_RATE_LIMITS": "off"}
    if not settings.is_sqlite:
        env["MAILSLOT_DATABASE_URL"] = settings.resolved_database_url
    data = tmp_path / "data"  # both instances share it: the SQLite file, the secret key
    servers = [MailslotServer(data, env=env) for _ in range(2)]
    for server in servers:
        await anyio.to_thread.run_sync(server.start)
        server.args = ("--no-migrate",)  # restarts skip the (done) migration: they come back sooner
    up = {server.url for server in servers}
    try:
        base = servers[0].url
        sink = await anyio.to_thread.run_sync(register, base)
        senders = [await anyio.to_thread.run_sync(register, base) for _ in range(4)]
        load = SendLoad(targets=lambda: sorted(up) or [base], senders=senders, sink=sink, rate=RATE)
        stop = anyio.Event()
        pids: list[int] = []
        ready = [anyio.Event(), anyio.Event()]
        for event in ready:
            event.set()

        async def restart(index: int) -> None:
            server = servers[index]
            await anyio.to_thread.run_sync(server.start)
            up.add(server.url)
            ready[index].set()

        async with anyio.create_task_group() as group:
            group.start_soon(load.run, stop)
            async with anyio.create_task_group() as restarts:
                # Alternate victims, each killed at a random moment once both serve, so
                # the other instance carries the load while the victim restarts.
                for kill in range(KILLS):
                    index = kill % 2
                    for event in ready:
                        await event.wait()
                    await anyio.sleep(random.uniform(0.1, 0.5))
                    victim = servers[index]
                    assert victim.process is not None
                    pids.append(victim.process.pid)
                    ready[index] = anyio.Event()
                    up.discard(victim.url)
                    victim.kill()  # SIGKILL, and reap it
                    assert victim.process.returncode == -9
                    restarts.start_soon(restart, index)
            await anyio.sleep(0.5)
            stop.set()
        stored = await anyio.to_thread.run_sync(read_everything, base, sink)
    finally:
        for server in servers:
            server.stop()
    verdict = check(load.history, stored)
    outcomes = Counter((op.outcome, op.status or op.error) for op in load.history)
    sys.stdout.write(f"\nD1 {KILLS} SIGKILLs: {verdict}\n  outcomes: {dict(outcomes)}\n")
    assert len(set(pids)) == KILLS  # a new process each time
    assert verdict.valid, verdict
    assert verdict.acknowledged >= 200, verdict  # the check had something to check
    assert sum(op.outcome == OK for op in load.history) == verdict.acknowledged
