"""`mailslot import seed-b`: seed B's users, messages and receivers (MySQL or MariaDB)
copied into this database, read state and creation times with them (docs/seed-b.md).

Each batch commits with its rows of `seed_b_import` (source id -> id here), so an
interrupted import resumes after its last commit and a re-run copies nothing twice.
Every run reads the whole source again and accounts for every row of it: copied (now or
before), or refused with its id and the reason; the summary checks the sums.

Seed B's ids are kept for messages when this database holds no message but those the
import copied (an empty database, or an import resumed into one). Users get new ids:
nothing a client sees carries a user id. Seed B deleted for real (a receiver's delete
removed its `message_receiver` row, a sender's the message and every receiver row), so
what was deleted is not in the source and is not copied."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import anyio
import pymysql
from pydantic import TypeAdapter, ValidationError
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mailslot.accounts import service as accounts
from mailslot.accounts.models import User
from mailslot.accounts.schemas import Email
from mailslot.accounts.security import Passwords
from mailslot.accounts.service import email_key, possible_username, username_key
from mailslot.db.base import utcnow
from mailslot.messages.models import Delivery, Message, SeedBImport

BATCH_SIZE = 500
SCHEMES = ("mysql", "mariadb")
_EMAIL: TypeAdapter[str] = TypeAdapter(Email)


class SourceUnavailable(Exception):
    """Seed B's database cannot be reached, or lacks its tables."""


@dataclass(frozen=True, slots=True)
class Row:
    """A source row mailslot refused (or took with a change, as a note): `id` is seed B's,
    `message_id/receiver_id` for a receiver row."""

    kind: str  # "user", "message" or "receiver"
    id: str
    reason: str


@dataclass
class Summary:
    source: dict[str, int]
    imported: dict[str, int] = field(default_factory=dict)  # in this database, any run
    copied: dict[str, int] = field(default_factory=dict)  # by this run
    refused: list[Row] = field(default_factory=list)
    notes: list[Row] = field(default_factory=list)
    kept_message_ids: bool = True

    def refused_count(self, kind: str) -> int:
        return sum(1 for row in self.refused if row.kind == kind)

    @property
    def checked(self) -> bool:
        """Every source row is here or refused by id, none counted twice."""
        return all(
            self.imported.get(kind, 0) + self.refused_count(kind) == count
            for kind, count in self.source.items()
        )


@dataclass(frozen=True, slots=True)
class SourceMessage:
    id: int
    sender_id: int
    subject: str | None
    body: str | None
    created: datetime | None
    receivers: list[tuple[int, bool]]  # (receiver id, read), by receiver id


class SeedBSource:
    """Seed B's MySQL database, read in batches by id on a thread (PyMySQL is blocking)."""

    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        if parsed.get_backend_name() not in SCHEMES or not parsed.database:
            raise ValueError("give seed B's database as mysql://user:password@host:port/database")
        self._options: dict[str, Any] = {
            "host": parsed.host or "127.0.0.1",
            "port": parsed.port or 3306,
            "user": parsed.username or "root",
            "password": parsed.password or "",
            "database": parsed.database,
            "charset": "utf8mb4",
            "connect_timeout": 10,
            # Each read on its own: no transaction left open holds seed B's tables
            # (MySQL's metadata locks) between batches or after an interruption.
            "autocommit": True,
        }
        self._connection: pymysql.connections.Connection[Any] | None = None

    def _query(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        try:
            if self._connection is None:
                self._connection = pymysql.connect(**self._options)
            with self._connection.cursor() as cursor:
                cursor.execute(sql, args)
                return list(cursor.fetchall())
        except pymysql.MySQLError as error:
            raise SourceUnavailable(str(error)) from None

    async def query(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        return await anyio.to_thread.run_sync(self._query, sql, args)

    async def counts(self) -> dict[str, int]:
        [(users, messages, receivers)] = await self.query(
            "SELECT (SELECT count(*) FROM `user`), (SELECT count(*) FROM `message`),"
            " (SELECT count(*) FROM `message_receiver`)"
        )
        return {"user": users, "message": messages, "receiver": receivers}

    async def users(self, batch: int) -> AsyncIterator[list[tuple[Any, ...]]]:
        after = 0
        while rows := await self.query(
            "SELECT id, username, email, password FROM `user` WHERE id > %s ORDER BY id LIMIT %s",
            after,
            batch,
        ):
            yield rows
            after = rows[-1][0]

    async def messages(self, batch: int) -> AsyncIterator[list[SourceMessage]]:
        after = 0
        while rows := await self.query(
            "SELECT id, sender_id, subject, message, creation_date FROM `message`"
            " WHERE id > %s ORDER BY id LIMIT %s",
            after,
            batch,
        ):
            receivers: dict[int, list[tuple[int, bool]]] = {}
            for message_id, receiver_id, read in await self.query(
                "SELECT message_id, receiver_id, `read` FROM `message_receiver`"
                " WHERE message_id BETWEEN %s AND %s ORDER BY message_id, receiver_id",
                rows[0][0],
                rows[-1][0],
            ):
                receivers.setdefault(message_id, []).append((receiver_id, bool(read)))
            yield [
                SourceMessage(
                    id=message_id,
                    sender_id=sender_id,
                    subject=subject,
                    body=body,
                    created=created,
                    receivers=receivers.get(message_id, []),
                )
                for message_id, sender_id, subject, body, created in rows
            ]
            after = rows[-1][0]

    async def orphan_receivers(self) -> list[tuple[int, int]]:
        """Receiver rows whose message does not exist (MySQL kept no foreign key)."""
        rows = await self.query(
            "SELECT r.message_id, r.receiver_id FROM `message_receiver` r"
            " LEFT JOIN `message` m ON m.id = r.message_id WHERE m.id IS NULL"
            " ORDER BY r.message_id, r.receiver_id"
        )
        return [(message_id, receiver_id) for message_id, receiver_id in rows]

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


Advance = Callable[[int], None]


async def import_seed_b(
    sessions: async_sessionmaker[AsyncSession],
    source: SeedBSource,
    *,
    advance: Advance = lambda count: None,
    batch: int = BATCH_SIZE,
) -> Summary:
    """Copy what is not copied yet; `advance` hears of each source user and message
    handled. Raises SourceUnavailable when seed B's database cannot be read."""
    summary = Summary(source=await source.counts())
    people = await _copy_users(sessions, source, summary, advance, batch)
    await _copy_messages(sessions, source, summary, people, advance, batch)
    for message_id, receiver_id in await source.orphan_receivers():
        summary.refused.append(
            Row("receiver", f"{message_id}/{receiver_id}", f"message {message_id} does not exist")
        )
    async with sessions() as db:
        summary.imported = await _imported(db)
    return summary


@dataclass
class People:
    """Seed B's users as the messages need them: source id -> (id here, username)."""

    here: dict[int, tuple[int, str]] = field(default_factory=dict)
    in_source: set[int] = field(default_factory=set)
    names: dict[int, str] = field(default_factory=dict)  # id here -> username

    def add(self, source_id: int, user_id: int, username: str) -> None:
        self.here[source_id] = (user_id, username)
        self.names[user_id] = username

    def why_not(self, source_id: int) -> str:
        if source_id in self.in_source:
            return f"user {source_id} was not imported"
        return f"user {source_id} does not exist"


async def _copy_users(
    sessions: async_sessionmaker[AsyncSession],
    source: SeedBSource,
    summary: Summary,
    advance: Advance,
    batch: int,
) -> People:
    people = People()
    async with sessions() as db:
        for source_id, user_id, username in await db.execute(
            select(SeedBImport.source_id, User.id, User.username)
            .join(User, User.id == SeedBImport.target_id)
            .where(SeedBImport.kind == "user")
        ):
            people.add(source_id, user_id, username)
    copied = 0
    async for rows in source.users(batch):
        async with sessions() as db:
            for source_id, username, email, password_hash in rows:
                people.in_source.add(source_id)
                if source_id in people.here:
                    continue
                reason = await _refuse_user(db, username, password_hash)
                if reason is not None:
                    summary.refused.append(Row("user", str(source_id), reason))
                    continue
                email = await _usable_email(db, summary, source_id, email)
                # A `user.created` webhook event with it, as for any new user.
                new_id = (
                    await accounts.insert_user(
                        db, username=username, email=email, password_hash=password_hash
                    )
                ).id
                await db.execute(
                    insert(SeedBImport).values(kind="user", source_id=source_id, target_id=new_id)
                )
                people.add(source_id, new_id, username)
                copied += 1
            await db.commit()
        advance(len(rows))
    summary.copied["user"] = copied
    return people


async def _refuse_user(db: AsyncSession, username: str, password_hash: str | None) -> str | None:
    if not possible_username(username):
        return (
            f"username {username!r} is not 1 to 64 letters, digits, '_', '.' or '-'"
            " (ask the user to pick another and import again)"
        )
    if not password_hash or not Passwords.is_legacy(password_hash):
        return "its password is not a bcrypt hash"
    if await db.scalar(select(User.id).where(User.username_key == username_key(username))):
        return f"username {username!r} is taken here"
    return None


async def _usable_email(
    db: AsyncSession, summary: Summary, source_id: int, email: str | None
) -> str | None:
    """The user's email, or None (noted) when mailslot refuses it or another user has it."""
    if not email:
        return None
    try:
        email = _EMAIL.validate_python(email)
    except ValidationError:
        summary.notes.append(Row("user", str(source_id), f"email {email!r} left out: invalid"))
        return None
    if await db.scalar(select(User.id).where(User.email_key == email_key(email))):
        summary.notes.append(Row("user", str(source_id), f"email {email!r} left out: taken"))
        return None
    return email


async def _copy_messages(
    sessions: async_sessionmaker[AsyncSession],
    source: SeedBSource,
    summary: Summary,
    people: People,
    advance: Advance,
    batch: int,
) -> None:
    async with sessions() as db:
        done = set(
            (
                await db.scalars(select(SeedBImport.source_id).where(SeedBImport.kind == "message"))
            ).all()
        )
        # Keep seed B's ids only where they cannot collide: nothing here but what the
        # import copied (with its ids).
        summary.kept_message_ids = await db.scalar(
            select(func.count()).select_from(Message)
        ) == len(done)
    copied = 0
    async for messages in source.messages(batch):
        async with sessions() as db:
            for message in messages:
                taken = _account_for(summary, people, message)
                if taken and message.id not in done:
                    await _insert_message(db, summary, people, message, taken)
                    copied += 1
            if summary.kept_message_ids and db.get_bind().dialect.name == "postgresql":
                # Ids given explicitly do not move the sequence: the next send must not
                # take one the import used.
                await db.execute(
                    text(
                        "SELECT setval(pg_get_serial_sequence('message', 'id'),"
                        " (SELECT coalesce(max(id), 1) FROM message))"
                    )
                )
            await db.commit()
        advance(len(messages))
    summary.copied["message"] = copied


def _account_for(
    summary: Summary, people: People, message: SourceMessage
) -> list[tuple[int, bool]]:
    """The receivers (ids here, read) the message is copied with; [] when it is refused.
    Each refusal, of the message or of a receiver row, is added to the summary."""

    def refuse(reason: str) -> list[tuple[int, bool]]:
        summary.refused.append(Row("message", str(message.id), reason))
        for receiver_id, _ in message.receivers:
            summary.refused.append(
                Row("receiver", f"{message.id}/{receiver_id}", f"message {message.id} refused")
            )
        return []

    if message.sender_id not in people.here:
        return refuse(f"its sender: {people.why_not(message.sender_id)}")
    if "\x00" in (message.subject or "") + (message.body or ""):
        return refuse("it contains a NUL character")
    taken = []
    for receiver_id, read in message.receivers:
        if receiver_id in people.here:
            taken.append((people.here[receiver_id][0], read))
        else:
            summary.refused.append(
                Row("receiver", f"{message.id}/{receiver_id}", people.why_not(receiver_id))
            )
    if not taken:
        summary.refused.append(
            Row(
                "message",
                str(message.id),
                "no receiver left (each deleted it, or was not imported): "
                "only its sender could delete it in seed B",
            )
        )
    return taken


async def _insert_message(
    db: AsyncSession,
    summary: Summary,
    people: People,
    message: SourceMessage,
    receivers: list[tuple[int, bool]],
) -> None:
    created = _utc(message.created)
    if created is None:
        created = utcnow()
        summary.notes.append(Row("message", str(message.id), "no creation date: the import's"))
    values: dict[str, Any] = {
        "sender_id": people.here[message.sender_id][0],
        "subject": message.subject or "",
        "body": message.body or "",
        "receiver_names": [people.names[receiver_id] for receiver_id, _ in receivers],
        "created_at": created,
    }
    if summary.kept_message_ids:
        values |= {"id": message.id, "thread_id": message.id}
    message_id = (
        await db.execute(insert(Message).values(values).returning(Message.id))
    ).scalar_one()
    if not summary.kept_message_ids:  # each message starts a thread of its own
        await db.execute(
            update(Message).where(Message.id == message_id).values(thread_id=message_id)
        )
    await db.execute(
        insert(Delivery),
        [
            {
                "receiver_id": receiver_id,
                "message_id": message_id,
                "thread_id": message_id,
                "context_ref": None,
                # Seed B kept no time of reading: the message's own time stands for it.
                "read_at": created if read else None,
            }
            for receiver_id, read in receivers
        ],
    )
    await db.execute(
        insert(SeedBImport).values(kind="message", source_id=message.id, target_id=message_id)
    )


def _utc(moment: datetime | None) -> datetime | None:
    """Seed B wrote `datetime.utcnow()`: naive, in UTC."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


async def _imported(db: AsyncSession) -> dict[str, int]:
    """What this database holds from seed B, whichever run copied it."""

    def mapped(kind: str) -> Any:
        return select(func.count()).where(SeedBImport.kind == kind).scalar_subquery()

    receivers = (
        select(func.count())
        .select_from(Delivery)
        .join(
            SeedBImport,
            (SeedBImport.kind == "message") & (SeedBImport.target_id == Delivery.message_id),
        )
        .scalar_subquery()
    )
    row = (await db.execute(select(mapped("user"), mapped("message"), receivers))).one()
    return {"user": row[0], "message": row[1], "receiver": row[2]}


@contextmanager
def opened(url: str) -> Iterator[SeedBSource]:
    source = SeedBSource(url)
    try:
        yield source
    finally:
        source.close()
