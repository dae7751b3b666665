"""The cost of a search on a mailbox of 10^5 messages, on SQLite and on PostgreSQL.

    .venv/bin/python bench/search.py --db all --messages 100000 --rounds 40

Seeds one receiver's inbox directly in SQL (words drawn from a Zipf-like vocabulary, as
in real text), then times the first page of `GET /users/{me}/messages?q=...` at the
service layer (`search.make_filter` + `service.list_messages` with the per-thread unread
counts, each call in its own session like a request), per kind of query: p50 and p99.
SQLite is left without ANALYZE, as mailslot runs it; PostgreSQL is vacuumed and
analysed, as autovacuum would do.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import statistics
import string
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import insert, select, text
from sqlalchemy.engine import make_url

from mailslot.accounts.models import User
from mailslot.accounts.service import Account
from mailslot.config import Settings
from mailslot.db.base import utcnow
from mailslot.db.engine import make_engine, make_session_factory
from mailslot.db.migrate import upgrade
from mailslot.messages import search, service
from mailslot.messages.models import Delivery, Message

POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
VOCABULARY = 20_000
SENDERS = 20
BATCH = 5_000


def vocabulary(rng: random.Random) -> list[str]:
    words: set[str] = set()
    while len(words) < VOCABULARY:
        words.add("".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 10))))
    return sorted(words, key=lambda w: rng.random())


def zipf_weights(n: int) -> list[float]:
    total = 0.0
    cumulative = []
    for rank in range(1, n + 1):
        total += 1 / rank**1.1
        cumulative.append(total)
    return cumulative


async def seed(settings: Settings, count: int, rng: random.Random) -> tuple[Account, list[str]]:
    words = vocabulary(rng)
    weights = zipf_weights(len(words))
    engine = make_engine(settings)
    now = utcnow()
    async with engine.begin() as connection:
        names = ["me", *[f"sender{i}" for i in range(SENDERS)]]
        await connection.execute(
            insert(User),
            [
                {
                    "username": name,
                    "username_key": name,
                    "email": None,
                    "email_key": None,
                    "password_hash": "x",
                    "created_at": now,
                }
                for name in names
            ],
        )
        ids = dict((await connection.execute(select(User.username, User.id))).all())
    made = 0
    while made < count:
        size = min(BATCH, count - made)
        drawn = iter(rng.choices(words, cum_weights=weights, k=size * 60))
        messages = []
        for i in range(size):
            subject = " ".join(next(drawn) for _ in range(rng.randint(3, 8)))
            body = " ".join(next(drawn) for _ in range(rng.randint(20, 50)))
            messages.append(
                {
                    "id": made + i + 1,
                    "sender_id": ids[f"sender{rng.randrange(SENDERS)}"],
                    "subject": subject.capitalize(),
                    "body": body.capitalize() + ".",
                    "receiver_names": ["me"],
                    "created_at": now - timedelta(seconds=count - made - i),
                    "thread_id": made + i + 1,
                }
            )
        async with engine.begin() as connection:
            await connection.execute(insert(Message), messages)
            await connection.execute(
                insert(Delivery),
                [
                    {
                        "message_id": m["id"],
                        "receiver_id": ids["me"],
                        "thread_id": m["thread_id"],
                        "read_at": now if rng.random() < 0.7 else None,
                    }
                    for m in messages
                ],
            )
        made += size
    if engine.dialect.name == "postgresql":
        async with engine.begin() as connection:
            # Sequences skipped by the explicit ids; then the statistics autovacuum keeps.
            await connection.execute(
                text("SELECT setval(pg_get_serial_sequence('message', 'id'), :n)"), {"n": count}
            )
    await engine.dispose()
    if engine.dialect.name == "postgresql":
        # The steady state autovacuum reaches: statistics, and GIN's pending list merged.
        raw = await asyncpg.connect(
            make_url(settings.resolved_database_url)
            .set(drivername="postgresql")
            .render_as_string(hide_password=False)
        )
        await raw.execute("VACUUM ANALYZE")
        await raw.close()
    me = Account(ids["me"], "me", None, now)
    return me, words


def queries(words: list[str], rng: random.Random) -> dict[str, Callable[[], dict[str, Any]]]:
    common, middle, rare = words[:20], words[200:1000], words[8000:20000]
    return {
        "common word": lambda: {"q": rng.choice(common)},
        "mid word": lambda: {"q": rng.choice(middle)},
        "rare word": lambda: {"q": rng.choice(rare)},
        "two words": lambda: {"q": f"{rng.choice(common)} {rng.choice(middle)}"},
        "prefix (3 letters)": lambda: {"q": rng.choice(middle)[:3] + "*"},
        "phrase": lambda: {"q": f'"{rng.choice(common)} {rng.choice(common)}"'},
        "no match": lambda: {"q": "zzzzzzzzzzzz"},
        "word + unread + from": lambda: {
            "q": rng.choice(middle),
            "unread": True,
            "sender": f"sender{rng.randrange(SENDERS)}",
        },
    }


async def timed(call: Callable[[], Awaitable[Any]]) -> float:
    start = time.perf_counter()
    await call()
    return (time.perf_counter() - start) * 1000


async def measure(settings: Settings, me: Account, words: list[str], rounds: int) -> None:
    rng = random.Random(2)
    engine = make_engine(settings)
    sessions = make_session_factory(engine)

    async def page(params: dict[str, Any]) -> None:
        unread = params.pop("unread", None)
        async with sessions() as db:
            filters = await search.make_filter(db, **params)
            await service.list_messages(
                db,
                viewer=me,
                box="inbox",
                unread=unread,
                below_id=None,
                offset=0,
                limit=20,
                filters=filters,
                thread_unread=True,
            )

    kinds = queries(words, rng)
    for make in kinds.values():  # warm the caches and the pool
        await page(make())
    samples: dict[str, list[float]] = {kind: [] for kind in kinds}
    for _ in range(rounds):
        for kind, make in kinds.items():
            samples[kind].append(await timed(lambda make=make: page(make())))
    await engine.dispose()
    everything = [ms for values in samples.values() for ms in values]
    print(f"\n{engine.dialect.name}: {len(everything)} searches, ms per first page of 20")
    print(f"  {'query':24} {'p50':>8} {'p99':>8} {'max':>8}")
    for kind, values in [*samples.items(), ("all", everything)]:
        print(f"  {kind:24} {p(values, 50):8.2f} {p(values, 99):8.2f} {max(values):8.2f}")


def p(values: list[float], percentile: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[percentile - 1]


async def run(dialect: str, count: int, rounds: int, keep: bool) -> None:
    rng = random.Random(1)
    tmp = Path(tempfile.mkdtemp(prefix="mailslot-bench-"))
    if dialect == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp / 'bench.db'}"
    else:
        name = f"mailslot_bench_{uuid.uuid4().hex[:8]}"
        admin = await asyncpg.connect(POSTGRES_ADMIN)
        await admin.execute(f'CREATE DATABASE "{name}"')
        await admin.close()
        url = make_url(POSTGRES_ADMIN).set(drivername="postgresql+asyncpg", database=name)
        url = url.render_as_string(hide_password=False)
    settings = Settings(data_dir=tmp, database_url=url, secret_key="bench" * 8)  # type: ignore[arg-type]
    try:
        await upgrade(settings)
        started = time.perf_counter()
        me, words = await seed(settings, count, rng)
        print(f"{dialect}: seeded {count} messages in {time.perf_counter() - started:.1f} s")
        await measure(settings, me, words, rounds)
    finally:
        if keep:
            print(f"kept: {url}")
        else:
            shutil.rmtree(tmp)
            if dialect == "postgres":
                admin = await asyncpg.connect(POSTGRES_ADMIN)
                await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "all"], default="all")
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=40, help="searches per kind of query")
    parser.add_argument("--keep", action="store_true", help="keep the database, to look at plans")
    args = parser.parse_args()
    for dialect in ["sqlite", "postgres"] if args.db == "all" else [args.db]:
        asyncio.run(run(dialect, args.messages, args.rounds, args.keep))


if __name__ == "__main__":
    main()
