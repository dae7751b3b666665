"""The cost of a search, on SQLite and on PostgreSQL: in a mailbox of 10^5 messages, and
in a small mailbox while the other users' mail grows from 10^3 to 10^6 messages.

    .venv/bin/python bench/search.py --db all --messages 100000 --rounds 40
    .venv/bin/python bench/search.py --db all --foreign 1000,10000,100000,1000000

Seeds directly in SQL (words drawn from a Zipf-like vocabulary, as in real text), then
times the first page of `GET /users/{me}/messages?q=...` at the service layer
(`search.make_filter` + `service.list_messages` with the per-thread unread counts, each
call in its own session like a request), per kind of query: p50 and p99. `--messages`
fills the searcher's own inbox; `--foreign` gives the searcher a small inbox (`--own`
messages) and adds other users' mail in steps, measuring after each, beside the plain
first page of the same inbox in the same run. SQLite is left without ANALYZE, as mailslot
runs it; PostgreSQL is vacuumed and analysed, as autovacuum would do.
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
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import asyncpg
from pydantic import SecretStr
from sqlalchemy import insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

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
FOREIGN_USERS = 100


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


async def seed_users(engine: AsyncEngine, names: list[str]) -> dict[str, int]:
    async with engine.begin() as connection:
        await connection.execute(
            insert(User),
            [
                {
                    "username": name,
                    "username_key": name,
                    "email": None,
                    "email_key": None,
                    "password_hash": "x",
                    "created_at": utcnow(),
                }
                for name in names
            ],
        )
        return dict((await connection.execute(select(User.username, User.id))).all())


async def add_messages(
    engine: AsyncEngine,
    corpus: Corpus,
    *,
    first_id: int,
    count: int,
    senders: list[int],
    receivers: list[tuple[int, str]],
) -> None:
    """`count` messages with ids from `first_id`, each from one of `senders` to one of
    `receivers` (id, name), inserted in batches of BATCH rows."""
    rng, words, weights = corpus.rng, corpus.words, corpus.weights
    now = utcnow()
    made = 0
    while made < count:
        size = min(BATCH, count - made)
        drawn = iter(rng.choices(words, cum_weights=weights, k=size * 60))
        messages = []
        deliveries = []
        for i in range(size):
            message_id = first_id + made + i
            receiver_id, receiver_name = rng.choice(receivers)
            subject = " ".join(next(drawn) for _ in range(rng.randint(3, 8)))
            body = " ".join(next(drawn) for _ in range(rng.randint(20, 50)))
            messages.append(
                {
                    "id": message_id,
                    "sender_id": rng.choice(senders),
                    "subject": subject.capitalize(),
                    "body": body.capitalize() + ".",
                    "receiver_names": [receiver_name],
                    "created_at": now - timedelta(seconds=count - made - i),
                    "thread_id": message_id,
                }
            )
            deliveries.append(
                {
                    "message_id": message_id,
                    "receiver_id": receiver_id,
                    "thread_id": message_id,
                    "read_at": now if rng.random() < 0.7 else None,
                }
            )
        async with engine.begin() as connection:
            await connection.execute(insert(Message), messages)
            await connection.execute(insert(Delivery), deliveries)
        made += size
    if engine.dialect.name == "postgresql":
        async with engine.begin() as connection:
            # The sequence skipped by the explicit ids.
            await connection.execute(
                text("SELECT setval(pg_get_serial_sequence('message', 'id'), :n)"),
                {"n": first_id + count - 1},
            )


async def settle(settings: Settings) -> None:
    """PostgreSQL: the steady state autovacuum reaches: statistics, and GIN's pending list
    merged."""
    url = make_url(settings.resolved_database_url)
    if url.get_backend_name() != "postgresql":
        return
    raw = await asyncpg.connect(
        url.set(drivername="postgresql").render_as_string(hide_password=False)
    )
    await raw.execute("VACUUM ANALYZE")
    await raw.close()


@dataclass
class Corpus:
    rng: random.Random
    words: list[str]
    weights: list[float]

    @classmethod
    def make(cls, rng: random.Random) -> Corpus:
        words = vocabulary(rng)
        return cls(rng, words, zipf_weights(len(words)))


async def seed(settings: Settings, count: int, corpus: Corpus) -> Account:
    """`me` holds `count` messages from SENDERS senders; nobody else holds any."""
    engine = make_engine(settings)
    ids = await seed_users(engine, ["me", *[f"sender{i}" for i in range(SENDERS)]])
    senders = [ids[f"sender{i}"] for i in range(SENDERS)]
    await add_messages(
        engine, corpus, first_id=1, count=count, senders=senders, receivers=[(ids["me"], "me")]
    )
    await engine.dispose()
    await settle(settings)
    return Account(ids["me"], "me", None, utcnow())


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


PLAIN = "plain page"


async def measure(
    settings: Settings, me: Account, words: list[str], rounds: int
) -> dict[str, list[float]]:
    """ms per first page of 20 of me's inbox, per kind of query, and for the PLAIN page
    without one (taken in turns with the searches, so both see the same machine)."""
    rng = random.Random(2)
    engine = make_engine(settings)
    sessions = make_session_factory(engine)

    async def page(params: dict[str, Any] | None) -> None:
        params = dict(params or {})
        unread = params.pop("unread", None)
        async with sessions() as db:
            filters = await search.make_filter(db, **params) if params else None
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

    kinds: dict[str, Callable[[], dict[str, Any] | None]] = {
        PLAIN: lambda: None,
        **queries(words, rng),
    }
    for make in kinds.values():  # warm the caches and the pool
        await page(make())
    samples: dict[str, list[float]] = {kind: [] for kind in kinds}
    for _ in range(rounds):
        for kind, make in kinds.items():
            samples[kind].append(await timed(partial(page, make())))
    await engine.dispose()
    return samples


def report(dialect: str, samples: dict[str, list[float]]) -> None:
    searches = [ms for kind, values in samples.items() if kind != PLAIN for ms in values]
    print(f"\n{dialect}: {len(searches)} searches, ms per first page of 20")
    print(f"  {'query':24} {'p50':>8} {'p99':>8} {'max':>8}")
    for kind, values in [*samples.items(), ("all searches", searches)]:
        print(f"  {kind:24} {p(values, 50):8.2f} {p(values, 99):8.2f} {max(values):8.2f}")


def report_foreign(dialect: str, own: int, steps: list[tuple[int, dict[str, list[float]]]]) -> None:
    """One line per step: the p50 of each kind, of all searches, and their ratio to the
    plain page's p50."""
    kinds = [kind for kind in steps[0][1] if kind != PLAIN]
    short = [kind.split(" (")[0][:9] for kind in kinds]
    print(f"\n{dialect}: an inbox of {own} messages, ms p50 per first page of 20")
    print(
        f"  {'foreign':>9} {'page':>6} "
        + " ".join(f"{name:>9}" for name in short)
        + f" {'all p50':>8} {'all p99':>8} {'p50/page':>8}"
    )
    for foreign, samples in steps:
        searches = [ms for kind in kinds for ms in samples[kind]]
        plain = p(samples[PLAIN], 50)
        print(
            f"  {foreign:>9} {plain:6.2f} "
            + " ".join(f"{p(samples[kind], 50):9.2f}" for kind in kinds)
            + f" {p(searches, 50):8.2f} {p(searches, 99):8.2f} {p(searches, 50) / plain:8.1f}"
        )


def p(values: list[float], percentile: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[percentile - 1]


@asynccontextmanager
async def database(dialect: str, keep: bool) -> AsyncIterator[Settings]:
    """Settings for a new, migrated database, dropped afterwards unless `keep`."""
    tmp = Path(tempfile.mkdtemp(prefix="mailslot-bench-"))
    name = f"mailslot_bench_{uuid.uuid4().hex[:8]}"
    if dialect == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp / 'bench.db'}"
    else:
        admin = await asyncpg.connect(POSTGRES_ADMIN)
        await admin.execute(f'CREATE DATABASE "{name}"')
        await admin.close()
        url = (
            make_url(POSTGRES_ADMIN)
            .set(drivername="postgresql+asyncpg", database=name)
            .render_as_string(hide_password=False)
        )
    settings = Settings(data_dir=tmp, database_url=url, secret_key=SecretStr("bench" * 8))
    try:
        await upgrade(settings)
        yield settings
    finally:
        if keep:
            print(f"kept: {url}")
        else:
            shutil.rmtree(tmp)
            if dialect == "postgres":
                admin = await asyncpg.connect(POSTGRES_ADMIN)
                await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                await admin.close()


async def run(dialect: str, count: int, rounds: int, keep: bool) -> None:
    corpus = Corpus.make(random.Random(1))
    async with database(dialect, keep) as settings:
        started = time.perf_counter()
        me = await seed(settings, count, corpus)
        print(f"{dialect}: seeded {count} messages in {time.perf_counter() - started:.1f} s")
        report(dialect, await measure(settings, me, corpus.words, rounds))


async def run_foreign(dialect: str, own: int, steps: list[int], rounds: int, keep: bool) -> None:
    """me holds `own` messages; FOREIGN_USERS others receive mail from the same senders,
    from the same vocabulary, until they hold each step's total."""
    corpus = Corpus.make(random.Random(1))
    results: list[tuple[int, dict[str, list[float]]]] = []
    async with database(dialect, keep) as settings:
        engine = make_engine(settings)
        others = [f"other{i}" for i in range(FOREIGN_USERS)]
        senders = [f"sender{i}" for i in range(SENDERS)]
        ids = await seed_users(engine, ["me", *senders, *others])
        sender_ids = [ids[name] for name in senders]
        await add_messages(
            engine, corpus, first_id=1, count=own, senders=sender_ids, receivers=[(ids["me"], "me")]
        )
        me = Account(ids["me"], "me", None, utcnow())
        foreign = 0
        for total in steps:
            started = time.perf_counter()
            await add_messages(
                engine,
                corpus,
                first_id=own + foreign + 1,
                count=total - foreign,
                senders=sender_ids,
                receivers=[(ids[name], name) for name in others],
            )
            await settle(settings)
            print(
                f"{dialect}: {total} foreign messages "
                f"(+{total - foreign} in {time.perf_counter() - started:.1f} s)",
                flush=True,
            )
            foreign = total
            results.append((total, await measure(settings, me, corpus.words, rounds)))
        await engine.dispose()
    report_foreign(dialect, own, results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "all"], default="all")
    parser.add_argument(
        "--messages", type=int, default=100_000, help="messages in the searcher's inbox"
    )
    parser.add_argument(
        "--foreign",
        type=lambda value: [int(step) for step in value.split(",")],
        help="instead: a small inbox, and other users' mail growing through these totals",
    )
    parser.add_argument("--own", type=int, default=100, help="the small inbox, with --foreign")
    parser.add_argument("--rounds", type=int, default=40, help="searches per kind of query")
    parser.add_argument("--keep", action="store_true", help="keep the database, to look at plans")
    args = parser.parse_args()
    for dialect in ["sqlite", "postgres"] if args.db == "all" else [args.db]:
        if args.foreign:
            asyncio.run(run_foreign(dialect, args.own, args.foreign, args.rounds, args.keep))
        else:
            asyncio.run(run(dialect, args.messages, args.rounds, args.keep))


if __name__ == "__main__":
    main()
