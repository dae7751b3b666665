"""The bench's data, written straight in SQL: users with live tokens, large mailboxes, seed
A sessions, and the scratch database they go into."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from mailslot.accounts.security import Passwords
from mailslot.config import Settings
from mailslot.keys import service as keys
from mailslot.keys.scopes import Scope
from mailslot.messages.cursor import encode_cursor

POSTGRES_ADMIN = os.environ.get(
    "MAILSLOT_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"
)
PASSWORD = "bench password 1"
BIG = 100_000  # messages in the large mailboxes
SCALES = (1_000, 100_000, 1_000_000)

# A seeded user: id, username, bearer token.
User = tuple[int, str, str]


class Seeder:
    """Bench data written straight in SQL: users, live tokens, large mailboxes."""

    def __init__(self, engine: AsyncEngine, dialect: str, password_hash: str) -> None:
        self.engine = engine
        self.dialect = dialect
        self.password_hash = password_hash

    async def users(self, prefix: str, count: int) -> list[User]:
        """(id, username, bearer token) for `count` new users."""
        now = datetime.now(UTC)
        created = []
        async with self.engine.begin() as db:
            for i in range(count):
                name = f"{prefix}{i}"
                user_id = (
                    await db.execute(
                        text(
                            "INSERT INTO user_account (username, username_key, email, email_key, password_hash, created_at, legacy_logged_in) "
                            "VALUES (:n, :n, :e, :e, :h, :t, false) RETURNING id"
                        ),
                        {
                            "n": name,
                            "e": f"{name}@bench.test",
                            "h": self.password_hash,
                            "t": self._time(now),
                        },
                    )
                ).scalar_one()
                token = secrets.token_urlsafe(32)
                await db.execute(
                    text(
                        "INSERT INTO access_token (token_hash, user_id, created_at, expires_at, token_id) "
                        "VALUES (:d, :u, :t, :x, :i)"
                    ),
                    {
                        "d": hashlib.sha256(token.encode()).digest(),
                        "u": user_id,
                        "t": self._time(now),
                        "x": self._time(now + timedelta(days=1)),
                        "i": f"tok_{secrets.token_hex(12)}",
                    },
                )
                created.append((user_id, name, token))
        return created

    async def host_ids(self, users: list[User]) -> list[str]:
        """Give each user a host id (its username), as the server API names users."""
        async with self.engine.begin() as db:
            for user in users:
                await db.execute(
                    text("UPDATE user_account SET external_id = username WHERE id = :id"),
                    {"id": user[0]},
                )
        return [user[1] for user in users]

    async def server_key(self) -> str:
        """A server key that may send as anyone and manage webhooks."""
        scopes = (Scope.MESSAGES_SEND_AS, Scope.WEBHOOKS_MANAGE, Scope.MODERATION)
        async with async_sessionmaker(self.engine)() as db:
            _, key = await keys.create_key(db, name="bench", scopes=scopes)
            await db.commit()
        return key

    async def mailbox(
        self,
        sender: User,
        receiver: User,
        count: int,
        unread: int = 10,
        at: datetime | None = None,
    ) -> None:
        """`count` messages from sender to receiver, all read but the newest `unread`, sent
        `at` (now by default)."""
        now = self._time(at or datetime.now(UTC))
        names = json.dumps([receiver[1]])
        async with self.engine.begin() as db:
            if self.dialect == "postgresql":
                await db.execute(text("SET LOCAL statement_timeout = 0"))  # 10^6 rows take a while
                series = "SELECT g AS x FROM generate_series(1, :n) AS g"
                stamp, names_json = "CAST(:t AS timestamptz)", "CAST(:r AS json)"
            else:
                series = "WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM s WHERE x < :n) SELECT x FROM s"
                stamp, names_json = ":t", ":r"
            first = (
                await db.execute(text("SELECT coalesce(max(id), 0) FROM message"))
            ).scalar_one()
            await db.execute(
                text(
                    "INSERT INTO message (sender_id, subject, body, receiver_names, created_at) "
                    f"SELECT :s, 'subject ' || x, 'a message body of moderate length, number ' || x, {names_json}, {stamp} FROM ({series}) AS q"
                ),
                {"s": sender[0], "r": names, "t": now, "n": count},
            )
            # Each message starts its own thread (migration 0003: thread_id never null).
            await db.execute(
                text("UPDATE message SET thread_id = id WHERE sender_id = :s AND id > :first"),
                {"s": sender[0], "first": first},
            )
            await db.execute(
                text(
                    "INSERT INTO delivery (message_id, receiver_id, read_at, thread_id) "
                    f"SELECT id, :u, {stamp}, id FROM message WHERE sender_id = :s AND id > :first"
                ),
                {"u": receiver[0], "s": sender[0], "t": now, "first": first},
            )
            await db.execute(
                text(
                    "UPDATE delivery SET read_at = NULL WHERE receiver_id = :u AND message_id > "
                    "(SELECT max(message_id) FROM delivery WHERE receiver_id = :u) - :unread"
                ),
                {"u": receiver[0], "unread": unread},
            )
        if self.dialect == "postgresql":
            async with self.engine.begin() as db:
                await db.execute(text("ANALYZE"))

    async def seed_a_session_without_digest(self, user_id: int) -> None:
        """A started seed A session whose requests cannot use the session digest: each
        checks the password with argon2, as before the digest existed."""
        async with self.engine.begin() as db:
            await db.execute(
                text(
                    "UPDATE user_account SET legacy_logged_in = true, legacy_session_digest = NULL "
                    "WHERE id = :u"
                ),
                {"u": user_id},
            )

    async def message_ids(self, receiver_id: int, limit: int) -> list[int]:
        async with self.engine.connect() as db:
            rows = await db.execute(
                text(
                    "SELECT message_id FROM delivery WHERE receiver_id = :u ORDER BY message_id DESC LIMIT :l"
                ),
                {"u": receiver_id, "l": limit},
            )
            return [row[0] for row in rows]

    def _time(self, value: datetime) -> Any:
        return value.replace(tzinfo=None) if self.dialect == "sqlite" else value


@dataclass
class Seeded:
    """Who and what `seed` wrote, for the scenarios to address."""

    senders: list[User]
    receivers: list[User]
    big_sender: User
    big_receiver: User
    deep_id: int  # a cursor page after 50,000 messages
    read_ids: list[int]
    seed_a_users: list[User]  # a //login session (digest); a session without digest
    server_key: str  # may send as anyone, manage webhooks, set the messaging policy
    receiver_ids: list[str]  # the receivers' host ids
    notice_ids: list[str]  # 1,000 users' host ids: the system's notice to all
    # mailbox size -> (its receiver, a cursor halfway down)
    scale_users: dict[int, tuple[User, str]] = field(default_factory=dict)


async def seed(settings: Settings, url: str, *, scaling: bool) -> Seeded:
    """Every scenario's data; with `scaling`, a mailbox of each size in SCALES too."""
    # Seeding 10^6 rows outlasts the service's statement timeouts: a plain engine.
    engine = create_async_engine(url)
    passwords = Passwords(
        memory_kib=settings.password_hash_memory_kib,
        iterations=settings.password_hash_iterations,
    )
    seeder = Seeder(engine, engine.dialect.name, await passwords.hash(PASSWORD))
    senders = await seeder.users("sender", 32)
    receivers = await seeder.users("receiver", 32)
    big_sender = (await seeder.users("bigsender", 1))[0]
    big_receiver = (await seeder.users("bigreceiver", 1))[0]
    await seeder.mailbox(big_sender, big_receiver, BIG)
    inbox_ids = await seeder.message_ids(big_receiver[0], BIG)
    # seed A's get_all: 20 messages each, one user with a //login session (digest), one
    # with a session but no digest (argon2 per request: the figure before the digest)
    seed_a_sender = (await seeder.users("seedasender", 1))[0]
    seed_a_users = await seeder.users("seedareader", 2)
    for user in seed_a_users:
        await seeder.mailbox(seed_a_sender, user, 20)
    await seeder.seed_a_session_without_digest(seed_a_users[1][0])
    seeded = Seeded(
        senders=senders,
        receivers=receivers,
        big_sender=big_sender,
        big_receiver=big_receiver,
        deep_id=inbox_ids[50_000],
        read_ids=inbox_ids[:2000],
        seed_a_users=seed_a_users,
        server_key=await seeder.server_key(),
        receiver_ids=await seeder.host_ids(receivers),
        notice_ids=await seeder.host_ids(await seeder.users("noticed", 1000)),
    )
    if scaling:
        for size in SCALES:
            scale_sender = (await seeder.users(f"scalesender{size}_", 1))[0]
            scale_receiver = (await seeder.users(f"scalereceiver{size}_", 1))[0]
            await seeder.mailbox(scale_sender, scale_receiver, size)
            ids = await seeder.message_ids(scale_receiver[0], size)
            seeded.scale_users[size] = (scale_receiver, encode_cursor(ids[len(ids) // 2]))
    await engine.dispose()
    return seeded


async def create_database(admin: str) -> str:
    name = f"mailslot_bench_{uuid.uuid4().hex[:8]}"
    connection = await asyncpg.connect(admin)
    await connection.execute(f'CREATE DATABASE "{name}"')
    await connection.close()
    return name


async def drop_database(admin: str, name: str) -> None:
    connection = await asyncpg.connect(admin)
    await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await connection.close()


@asynccontextmanager
async def scratch_database(db: str, workdir: Path) -> AsyncIterator[str]:
    """The URL of an empty database: a new PostgreSQL database, dropped afterwards, or a
    SQLite file in `workdir`."""
    if db != "postgres":
        yield f"sqlite+aiosqlite:///{workdir}/mailslot.db"
        return
    name = await create_database(POSTGRES_ADMIN)
    try:
        yield (
            "postgresql+asyncpg://"
            + POSTGRES_ADMIN.split("://", 1)[1].rsplit("/", 1)[0]
            + f"/{name}"
        )
    finally:
        await drop_database(POSTGRES_ADMIN, name)
