"""Erasing a large mailbox (issue 21): seed a user with N received and N sent messages
(each to/from another user) directly in SQL, then time `run_erasure` in both modes and
report the time, the batches and the longest batch.

    .venv/bin/python -m bench.erasure --database-url sqlite+aiosqlite:////tmp/e.db -n 10000
    .venv/bin/python -m bench.erasure --database-url postgresql+asyncpg://postgres@127.0.0.1/e -n 10000

The database must be empty (it is migrated here); it is left as the run leaves it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path
from tempfile import mkdtemp

from sqlalchemy import insert, select

from mailslot.accounts.models import User
from mailslot.config import Settings
from mailslot.db.base import utcnow
from mailslot.db.engine import make_engine, make_session_factory
from mailslot.db.migrate import upgrade
from mailslot.messages.models import Delivery, Message
from mailslot.rights.erasure import service
from mailslot.rights.erasure.run import run_erasure

CHUNK = 2000


async def seed(settings: Settings, prefix: str, count: int) -> tuple[int, int]:
    """Users `<prefix>a` and `<prefix>b`; `count` messages each way; returns their ids."""
    engine = make_engine(settings, settings.resolved_direct_url)
    now = utcnow()
    async with make_session_factory(engine)() as db:
        ids = []
        for name in (f"{prefix}a", f"{prefix}b"):
            ids.append(
                (
                    await db.execute(
                        insert(User)
                        .values(
                            username=name,
                            username_key=name,
                            email=None,
                            password_hash="!",
                            created_at=now,
                        )
                        .returning(User.id)
                    )
                ).scalar_one()
            )
        await db.commit()
        a, b = ids
        for sender, receiver, name in ((b, a, f"{prefix}a"), (a, b, f"{prefix}b")):
            for start in range(0, count, CHUNK):
                rows = [
                    {
                        "sender_id": sender,
                        "subject": f"subject {i}",
                        "body": "a body of a few words " * 4,
                        "receiver_names": [name],
                        "created_at": now,
                    }
                    for i in range(start, min(count, start + CHUNK))
                ]
                made = (
                    (await db.execute(insert(Message).returning(Message.id), rows)).scalars().all()
                )
                await db.execute(
                    insert(Delivery),
                    [{"receiver_id": receiver, "message_id": m, "thread_id": m} for m in made],
                )
                await db.commit()
    await engine.dispose()
    return a, b


async def erase(settings: Settings, user_id: int, mode: service.Mode) -> dict[str, object]:
    engine = make_engine(settings, settings.resolved_direct_url)
    batches: list[float] = []
    last = time.perf_counter()

    def tick(_rows: int) -> None:
        nonlocal last
        now = time.perf_counter()
        batches.append(now - last)
        last = now

    started = time.perf_counter()
    async with make_session_factory(engine)() as db:
        entry = await service.begin_erasure(db, user_id=user_id, mode=mode, hold_days=0)
        await db.commit()
        first = time.perf_counter() - started
        last = time.perf_counter()
        entry = await run_erasure(db, entry, on_batch=tick)
    total = time.perf_counter() - started
    left = 0
    async with make_session_factory(engine)() as db:
        left = len(
            (
                await db.scalars(select(Delivery.message_id).where(Delivery.receiver_id == user_id))
            ).all()
        )
    await engine.dispose()
    return {
        "mode": mode,
        "seconds": round(total, 2),
        "shut_ms": round(first * 1000, 1),
        "batches": len(batches),
        "longest_batch_ms": round(max(batches) * 1000, 1),
        "counts": entry.counts,
        "deliveries_left": left,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("-n", type=int, default=10_000, help="messages each way")
    args = parser.parse_args()
    settings = Settings(database_url=args.database_url, data_dir=Path(mkdtemp()))
    await upgrade(settings)
    results = []
    for mode in ("pseudonymize", "purge-sent"):
        a, _b = await seed(settings, f"bench{mode[:5]}{int(time.time())}", args.n)
        results.append(await erase(settings, a, mode))
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    asyncio.run(main())
