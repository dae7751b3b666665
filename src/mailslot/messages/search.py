"""Full-text search and the filters a listing combines with it.

The user's `q` never reaches an FTS engine as written: it is parsed here into words and
"quoted phrases" (a word may end in `*` to match as a prefix) and re-rendered in each
engine's syntax from letters and digits only, so FTS operators, quotes, `%`, `_` and
backslashes are separators, never syntax. All terms must match (AND).

- SQLite: an FTS5 external-content table `message_fts` over message(subject, body), kept
  in step by triggers (migration 0003).
- PostgreSQL: a generated `message.search_vector` tsvector with a GIN index (0003).

Both index letters-and-digits runs with the `simple` rules (case-insensitive, accents
count, no stemming), so both engines find the same messages.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, TypeVarTuple

from sqlalchemy import ColumnElement, Integer, column, func, literal_column, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql import Select
from sqlalchemy.sql.expression import cast

from mailslot.accounts import service as accounts
from mailslot.db.engine import Reader, dialect_name
from mailslot.errors import InvalidParameter
from mailslot.messages.models import Delivery, Message

Row = TypeVarTuple("Row")

MAX_QUERY_LENGTH = 500
MAX_TERMS = 16

_WORD = re.compile(r"[^\W_]+")
# A "phrase" (the closing quote may be missing), or a word with an optional prefix star.
_TOKEN = re.compile(r'"([^"]*)"?|([^\W_]+)(\*?)')

# The objects migration 0003 writes by hand, which the models do not describe.
SEARCH_TABLE_PREFIX = "message_fts"  # the FTS5 table and its shadow tables (SQLite)
SEARCH_COLUMN = "search_vector"  # message.search_vector (PostgreSQL)
SEARCH_INDEX = "ix_message_search"  # its GIN index


def include_in_autogenerate(name: str | None, type_: str, parent_names: Any) -> bool:
    """Alembic `include_name` hook: leave the hand-written search objects out of the
    comparison between the models and the database (autogenerate cannot express them)."""
    if name is None:
        return True
    if type_ == "table":
        return not name.startswith(SEARCH_TABLE_PREFIX)
    if type_ == "column":
        return name != SEARCH_COLUMN
    if type_ == "index":
        return name != SEARCH_INDEX
    return True


class SearchTooComplex(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Term:
    """One word, or a phrase of adjacent words; `prefix` matches the last word's start."""

    words: tuple[str, ...]
    prefix: bool = False


def parse_query(q: str) -> tuple[Term, ...]:
    """The terms of a search. Anything but letters and digits separates words; an
    empty result means the search has nothing to look for. Raises SearchTooComplex
    beyond MAX_TERMS terms."""
    terms: list[Term] = []
    for match in _TOKEN.finditer(q):
        phrase, word, star = match.groups()
        if word is not None:
            terms.append(Term((word,), prefix=bool(star)))
        else:
            words = tuple(_WORD.findall(phrase))
            if words:
                terms.append(Term(words))
        if len(terms) > MAX_TERMS:
            raise SearchTooComplex(f"A search holds at most {MAX_TERMS} words or phrases.")
    return tuple(terms)


def fts5_query(terms: Sequence[Term]) -> str:
    """SQLite FTS5 syntax: each term a quoted string (never an operator), ANDed."""
    return " ".join(f'"{" ".join(t.words)}"' + ("*" if t.prefix else "") for t in terms)


def tsquery(terms: Sequence[Term]) -> str:
    """PostgreSQL to_tsquery syntax: quoted lexemes, phrases with <->, ANDed."""
    rendered = []
    for term in terms:
        words = [f"'{word}'" for word in term.words]
        if term.prefix:
            words[-1] += ":*"
        rendered.append(" <-> ".join(words))
    return " & ".join(rendered)


def matching_ids(terms: Sequence[Term], dialect: str, id_column: Any) -> ColumnElement[bool]:
    """A condition true for the messages whose subject or body holds every term."""
    if dialect == "sqlite":
        fts = (
            text("SELECT rowid FROM message_fts WHERE message_fts MATCH :fts_query")
            .bindparams(fts_query=fts5_query(terms))
            .columns(column("rowid", Integer))
        )
        return id_column.in_(fts)  # type: ignore[no-any-return]
    query = func.to_tsquery(literal_column("'simple'::regconfig"), tsquery(terms))
    return literal_column(f"message.{SEARCH_COLUMN}").op("@@")(query)


@dataclass(frozen=True, slots=True)
class MessageFilter:
    """What a listing keeps besides its box. `matches_nothing` short-cuts a filter that
    names an unknown user, has no words to search, or an empty time range."""

    dialect: str  # the database's: each writes search differently
    terms: tuple[Term, ...] = ()
    sender_id: int | None = None
    receiver: str | None = None  # the username as registered
    after: datetime | None = None
    before: datetime | None = None
    thread_id: int | None = None
    matches_nothing: bool = False

    @property
    def is_empty(self) -> bool:
        """Keeps everything: the listing is the plain box."""
        return not (self.touches_message or self.thread_id is not None or self.matches_nothing)

    @property
    def touches_message(self) -> bool:
        """Whether a delivery-only page must join message to apply this filter."""
        return bool(self.terms or self.sender_id or self.receiver or self.after or self.before)


def apply_filters(
    query: Select[*Row], filters: MessageFilter, *, box: Literal["inbox", "sent", "trash"]
) -> Select[*Row]:
    """`query` (a box's page, which joins message when `filters.touches_message`)
    narrowed by `filters`."""
    dialect = filters.dialect
    received = box != "sent"
    if filters.terms:
        id_column = Delivery.message_id if received else Message.id
        query = query.where(matching_ids(filters.terms, dialect, id_column))
    if filters.sender_id is not None:
        query = query.where(Message.sender_id == filters.sender_id)
    if filters.receiver is not None:
        query = query.where(_addressed_to(filters.receiver, dialect))
    if filters.after is not None:
        query = query.where(Message.created_at > filters.after)
    if filters.before is not None:
        query = query.where(Message.created_at < filters.before)
    if filters.thread_id is not None:
        thread = Delivery.thread_id if received else Message.thread_id
        query = query.where(thread == filters.thread_id)
    return query


def _addressed_to(username: str, dialect: str) -> ColumnElement[bool]:
    # The receiver list as sent (message.receiver_names), not the delivery rows: a
    # receiver who deleted their copy for good stays a receiver of what was sent.
    if dialect == "sqlite":
        return text(
            "EXISTS (SELECT 1 FROM json_each(message.receiver_names) WHERE value = :to_name)"
        ).bindparams(to_name=username)  # type: ignore[return-value]
    return cast(Message.receiver_names, JSONB).contains([username])


async def make_filter(
    db: Reader,
    *,
    q: str | None = None,
    sender: str | None = None,
    receiver: str | None = None,
    after: datetime | None = None,
    before: datetime | None = None,
    thread_id: int | None = None,
) -> MessageFilter:
    """The filter for a listing's parameters; raises InvalidParameter for too many terms.
    A blank `q` searches nothing (it is ignored); one without letters or digits, an
    unknown user or an empty time range match nothing."""
    terms: tuple[Term, ...] = ()
    nothing = False
    if q is not None and q.strip():
        try:
            terms = parse_query(q)
        except SearchTooComplex as exc:
            raise InvalidParameter(str(exc)) from None
        nothing = not terms
    sender_id = None
    if sender is not None:
        account = await accounts.find_user(db, sender)
        sender_id = account.id if account else None
        nothing = nothing or account is None
    receiver_name = None
    if receiver is not None:
        account = await accounts.find_user(db, receiver)
        receiver_name = account.username if account else None
        nothing = nothing or account is None
    if after is not None and before is not None and after >= before:
        nothing = True
    return MessageFilter(
        dialect=dialect_name(db),
        terms=terms,
        sender_id=sender_id,
        receiver=receiver_name,
        after=after,
        before=before,
        thread_id=thread_id,
        matches_nothing=nothing,
    )
