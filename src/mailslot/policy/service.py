"""The messaging policy in the database: the rules, the groups of the users a send names,
and the history the rules ask about (thread members, a new account's contacts). Callers
own the transaction. The reads a send makes are statements on the driver
(db/direct.py), so that a send that writes nothing else still commits in one statement."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, String, bindparam, select, text, union
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from mailslot.db.base import UTCDateTime, utcnow
from mailslot.db.direct import DirectQuery
from mailslot.db.engine import Reader, dialect_name
from mailslot.messages.models import Delivery, Message
from mailslot.policy.models import POLICY_ROW, MessagingPolicy
from mailslot.policy.rules import NO_RULES, Rules, memberships


@dataclass(frozen=True, slots=True)
class Policy:
    """The rules in force, and when they were last put (None: never)."""

    rules: Rules
    updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class Member:
    """A user as the policy sees them."""

    id: int
    groups: tuple[str, ...]
    created_at: datetime
    memberships: frozenset[str]  # rules.memberships(groups), made once


_POLICY = DirectQuery(
    select(MessagingPolicy.rules, MessagingPolicy.updated_at).where(
        MessagingPolicy.id == POLICY_ROW
    )
)


async def get_policy(db: Reader) -> Policy:
    rows = await _POLICY.all(db, {})
    if not rows:
        return Policy(NO_RULES, None)
    rules = rows[0].rules
    return Policy(
        Rules.from_json(json.loads(rules) if isinstance(rules, str) else rules), rows[0].updated_at
    )


async def put_policy(db: AsyncSession, rules: Rules) -> Policy:
    """Replace the rules (NO_RULES: no policy)."""
    now = utcnow()
    insert = postgres_insert if dialect_name(db) == "postgresql" else sqlite_insert
    values = {"id": POLICY_ROW, "rules": rules.to_json(), "updated_at": now}
    await db.execute(
        insert(MessagingPolicy)
        .values(**values)
        .on_conflict_do_update(index_elements=["id"], set_=values)
    )
    return Policy(rules, now)


_COLUMNS = "id, username_key, groups, created_at"
_TYPES: dict[str, Any] = {
    "id": BigInteger,
    "username_key": String,
    "groups": JSON,
    "created_at": UTCDateTime(),
}
_MEMBERS = {
    "postgresql": DirectQuery(
        text(
            f"SELECT {_COLUMNS} FROM user_account "  # noqa: S608 (constants; values bound)
            "WHERE username_key = ANY(:keys)"
        )
        .bindparams(bindparam("keys", type_=ARRAY(String)))
        .columns(**_TYPES)
    ),
    "sqlite": DirectQuery(
        text(
            f"SELECT {_COLUMNS} FROM user_account "  # noqa: S608 (constants; values bound)
            "WHERE username_key IN (SELECT value FROM json_each(:keys))"
        ).columns(**_TYPES)
    ),
}


# The rules as text, parsed once however many users the rows carry; the users only with
# rules other than none (:none, as put_policy stores NO_RULES), or when the caller needs
# them anyway (:members). Where the rules' text is compared, not their meaning (SQLite's
# json() keeps the keys' order), a mismatch only reads users that go unused.
_POLICY_AND_MEMBERS_SQL = (
    "SELECT {rules} AS rules, u.id, u.username_key, u.groups, u.created_at "  # noqa: S608 (constants; values bound)
    f"FROM (SELECT 1) AS one LEFT JOIN messaging_policy AS policy ON policy.id = {POLICY_ROW} "
    "LEFT JOIN user_account AS u ON (:members OR {some_rules}) AND u.username_key {keys}"
)
_POLICY_AND_MEMBERS = {
    "postgresql": DirectQuery(
        text(
            _POLICY_AND_MEMBERS_SQL.format(
                rules="policy.rules::text",
                some_rules="policy.rules::jsonb <> CAST(:none AS jsonb)",
                keys="= ANY(:keys)",
            )
        )
        .bindparams(
            bindparam("keys", type_=ARRAY(String)),
            bindparam("members", type_=Boolean),
            bindparam("none", type_=String),
        )
        .columns(rules=String, **_TYPES)
    ),
    "sqlite": DirectQuery(
        text(
            _POLICY_AND_MEMBERS_SQL.format(
                rules="policy.rules",
                some_rules="json(policy.rules) <> json(:none)",
                keys="IN (SELECT value FROM json_each(:keys))",
            )
        ).columns(rules=String, **_TYPES)
    ),
}
_NO_RULES_JSON = json.dumps(NO_RULES.to_json())


@lru_cache(maxsize=4)
def _parsed(stored: str) -> Rules:
    """The rules of their stored text: a send that reads it each time (nothing
    remembered) parses it once, and builds the rules' index once."""
    return Rules.from_json(json.loads(stored))


def _keys(dialect: str, keys: list[str]) -> dict[str, Any]:
    return {"keys": keys if dialect == "postgresql" else json.dumps(keys)}


def _members(rows: Sequence[Any]) -> dict[str, Member]:
    members = {}
    for row in rows:
        if row.id is None:  # policy_and_members' row when nobody has these keys
            continue
        groups = json.loads(row.groups) if isinstance(row.groups, str) else row.groups
        members[row.username_key] = Member(
            row.id, tuple(groups or ()), row.created_at, memberships(groups)
        )
    return members


async def find_members(db: Reader, keys: list[str]) -> dict[str, Member]:
    """The users of these username keys, by key; those nobody has are left out."""
    dialect = dialect_name(db)
    return _members(await _MEMBERS[dialect].all(db, _keys(dialect, keys)))


async def policy_and_members(
    db: Reader, keys: list[str], *, members: bool = False
) -> tuple[Rules, dict[str, Member]]:
    """The rules in force (get_policy's) and, where there are rules or with `members`,
    the users of these keys (find_members'; else none), in one statement: what a send
    asks when nothing is remembered."""
    dialect = dialect_name(db)
    rows = await _POLICY_AND_MEMBERS[dialect].all(
        db, _keys(dialect, keys) | {"members": members, "none": _NO_RULES_JSON}
    )
    stored = rows[0].rules  # one row at least: the LEFT JOINs keep `one`'s
    rules = NO_RULES if stored is None else _parsed(stored)
    return rules, (_members(rows) if members or not rules.empty else {})


async def thread_members(db: Reader, thread_id: int, user_ids: list[int]) -> set[int]:
    """Those of `user_ids` who hold a message of the thread in their mailbox: one they
    received, or sent, and did not delete."""
    received = select(Delivery.receiver_id).where(
        Delivery.receiver_id.in_(user_ids),
        Delivery.thread_id == thread_id,
        Delivery.deleted_at.is_(None),
    )
    sent = select(Message.sender_id).where(
        Message.sender_id.in_(user_ids),
        Message.thread_id == thread_id,
        Message.deleted_by_sender_at.is_(None),
    )
    return set((await db.execute(union(received, sent))).scalars())


async def new_contacts(db: Reader, sender_id: int, receiver_ids: list[int]) -> tuple[set[int], int]:
    """For the new-account limit: which of `receiver_ids` are new contacts of the sender
    (they never sent the sender a message), and how many distinct new contacts the
    sender wrote to in the last 24 hours besides them."""
    since = utcnow() - timedelta(days=1)
    recent = set(
        (
            await db.execute(
                select(Delivery.receiver_id)
                .join(Message, Message.id == Delivery.message_id)
                .where(Message.sender_id == sender_id, Message.created_at >= since)
            )
        ).scalars()
    )
    wanted = (recent | set(receiver_ids)) - {sender_id}
    if not wanted:
        return set(), 0
    wrote = set(
        (
            await db.execute(
                select(Message.sender_id)
                .join(Delivery, Delivery.message_id == Message.id)
                .where(Delivery.receiver_id == sender_id, Message.sender_id.in_(wanted))
                .distinct()
            )
        ).scalars()
    )
    fresh = {user for user in receiver_ids if user in wanted and user not in wrote}
    earlier = len((recent - {sender_id}) - wrote - fresh)
    return fresh, earlier
