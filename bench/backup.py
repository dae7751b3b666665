"""What backups, restores and a port cost: the bench's data (10^5 messages in one
mailbox, ~3,200 users) in SQLite, then `mailslot backup`, `mailslot restore` into a fresh
data directory, and `mailslot db port` to a fresh PostgreSQL database, each run as a
process and timed (wall clock, including the command's start).

    .venv/bin/python -m bench.backup
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.seed import POSTGRES_ADMIN, create_database, drop_database, seed
from mailslot.config import Settings
from mailslot.db.migrate import upgrade


def mailslot(*args: str, env: dict[str, str]) -> float:
    base = {k: v for k, v in os.environ.items() if not k.startswith("MAILSLOT_")}
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "mailslot", *args],
        env=base | env,
        check=True,
        stdin=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


async def prepare(work: Path) -> tuple[Settings, str]:
    settings = Settings(data_dir=work / "data", password_hash_memory_kib=64)
    await upgrade(settings)
    await seed(settings, settings.resolved_database_url, scaling=False)
    name = await create_database(POSTGRES_ADMIN)
    return settings, POSTGRES_ADMIN.rsplit("/", 1)[0] + "/" + name


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        settings, target = asyncio.run(prepare(work))
        database = settings.data_dir / "mailslot.db"
        env = {"MAILSLOT_DATA_DIR": str(settings.data_dir)}
        try:
            backup = mailslot("backup", "-o", str(work / "b.tar"), env=env)
            restore = mailslot(
                "restore", str(work / "b.tar"), "--yes", env={"MAILSLOT_DATA_DIR": str(work / "r")}
            )
            port = mailslot("db", "port", "--to", target, env=env)
            idle = mailslot("--help", env=env)
        finally:
            asyncio.run(drop_database(POSTGRES_ADMIN, target.rsplit("/", 1)[1]))
        print(f"SQLite database: {database.stat().st_size / 2**20:.1f} MiB")
        print(f"backup file:     {(work / 'b.tar').stat().st_size / 2**20:.1f} MiB")
        print(f"mailslot --help: {idle:.1f} s (the command's start alone)")
        print(f"backup:          {backup:.1f} s")
        print(f"restore:         {restore:.1f} s")
        print(f"db port:         {port:.1f} s (copy and verify)")


if __name__ == "__main__":
    main()
