"""What running a statement on the driver (db.direct) saves, on both engines.

The same statements, on the same read-only engine and a 10^4-message inbox, run in turns:
through `AsyncConnection.execute` (SQLAlchemy's path) and through `DirectQuery.all` (the
driver's). Each turn checks out a connection, as a request does. Reports CPU per call.

    python -m bench.direct [--db postgres|sqlite] [--calls 300] [--rounds 8]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bench.seed import Seeder, scratch_database
from mailslot.config import Settings
from mailslot.db.direct import DirectQuery
from mailslot.db.engine import make_engine, read_only
from mailslot.db.migrate import upgrade
from mailslot.messages import service
from mailslot.messages.pages import PageShape, unfiltered_page


async def measure(db: str, calls: int, rounds: int) -> dict[str, dict[str, float]]:
    workdir = Path(tempfile.mkdtemp(prefix="mailslot-direct-"))
    async with scratch_database(db, workdir) as url:
        settings = Settings(data_dir=workdir, database_url=url, secret_key="direct-" + "k" * 32)
        await upgrade(settings)
        engine = make_engine(settings)
        seeder = Seeder(engine, engine.dialect.name, "unused")
        sender, receiver = (await seeder.users("s", 1))[0], (await seeder.users("r", 1))[0]
        await seeder.mailbox(sender, receiver, 10_000)
        newest = (await seeder.message_ids(receiver[0], 1))[0]
        reads = read_only(engine)
        page = unfiltered_page(
            PageShape("inbox", None, keyset=False, numbered=False, limit=21, thread_unread=True)
        )
        statements: dict[str, tuple[DirectQuery, dict[str, Any]]] = {
            "list page (20 rows)": (
                page,
                {"viewer_id": receiver[0]},
            ),
            "one message": (service.VISIBLE, {"viewer_id": receiver[0], "message_id": newest}),
        }
        results: dict[str, dict[str, float]] = {}
        for label, (query, params) in statements.items():

            async def through_sqlalchemy(query: DirectQuery = query, params: Any = params) -> None:
                async with reads.connect() as connection:
                    (await connection.execute(query.statement, params)).all()

            async def on_the_driver(query: DirectQuery = query, params: Any = params) -> None:
                async with reads.connect() as connection:
                    await query.all(connection, params)

            ways: dict[str, Callable[[], Awaitable[None]]] = {
                "SQLAlchemy": through_sqlalchemy,
                "driver": on_the_driver,
            }
            spent = dict.fromkeys(ways, 0.0)
            for _ in range(rounds):  # in turns: background load weighs on both alike
                for way, run in ways.items():
                    for _ in range(20):
                        await run()
                    started = time.process_time()
                    for _ in range(calls):
                        await run()
                    spent[way] += time.process_time() - started
            results[label] = {way: 1000 * cpu / (rounds * calls) for way, cpu in spent.items()}
        await engine.dispose()
        return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args()
    results = asyncio.run(measure(args.db, args.calls, args.rounds))
    print(f"CPU ms per call with a connection checkout, {args.db}")
    print(f"  {'statement':<22} {'SQLAlchemy':>10} {'driver':>8}")
    for label, ways in results.items():
        print(f"  {label:<22} {ways['SQLAlchemy']:10.3f} {ways['driver']:8.3f}")


if __name__ == "__main__":
    main()
