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

A search starts from the searcher's box: its newest SEARCH_WINDOW messages are tested one
by one (`row_matches`), and only if they do not fill the page is the rest looked up in the
full-text index, below them (`matching_ids`). The index's cost follows how many messages
of everyone's hold the terms; the window's follows the box alone. So a search in a box of
up to SEARCH_WINDOW messages costs the same whatever the others' mail holds, and a word
that is rare in a large box is still one index look-up. Except a prefix on SQLite
(`MessageFilter.tests_rows`), which stays one look-up in the index.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, TypeVarTuple

from sqlalchemy import (
    ColumnElement,
    Integer,
    and_,
    bindparam,
    column,
    exists,
    func,
    literal_column,
    select,
    table,
    text,
)
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
# A search tests this many of the box's newest messages one by one before it turns to the
# full-text index (messages/service.py `_search`). One test costs ~12 us on SQLite, 2-3 on
# PostgreSQL; the index's cost follows everyone's matching messages (bench/README.md).
SEARCH_WINDOW = 200

_WORD = re.compile(r"[^\W_]+")
# A "phrase" (the closing quote may be missing), or a word with an optional prefix star.
_TOKEN = re.compile(r'"([^"]*)"?|([^\W_]+)(\*?)')

# The objects migration 0003 writes by hand, which the models do not describe.
SEARCH_TABLE_PREFIX = "message_fts"  # the FTS5 table and its shadow tables (SQLite)
SEARCH_COLUMN = "search_vector"  # message.search_vector (PostgreSQL)
SEARCH_INDEX = "ix_message_search"  # its GIN index
_FTS = table("message_fts", column("rowid", Integer), column("message_fts"))


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


def _fts_match(terms: Sequence[Term]) -> ColumnElement[bool]:
    return _FTS.c.message_fts.op("MATCH")(bindparam("fts_query", fts5_query(terms)))


def _ts_query(terms: Sequence[Term]) -> ColumnElement[Any]:
    return func.to_tsquery(literal_column("'simple'::regconfig"), tsquery(terms))


def matching_ids(
    terms: Sequence[Term], dialect: str, id_column: Any, *, below: int | None = None
) -> ColumnElement[bool]:
    """A condition true for the messages whose subject or body holds every term, looked
    up in the full-text index (among the messages below id `below`, if given): its cost
    follows how many messages of everyone's hold the terms."""
    if dialect == "sqlite":
        found = select(_FTS.c.rowid).where(_fts_match(terms))
        if below is not None:
            found = found.where(_FTS.c.rowid < below)  # FTS5 starts at that rowid
        return id_column.in_(found)  # type: ignore[no-any-return]
    matched = literal_column(f"message.{SEARCH_COLUMN}").op("@@")(_ts_query(terms))
    return matched if below is None else and_(matched, id_column < below)


def row_matches(terms: Sequence[Term], dialect: str, id_column: Any) -> ColumnElement[bool]:
    """The same condition, tested on each row by itself, so that its cost follows the
    rows tested whatever everyone else's mail holds: on SQLite FTS5 looks up the one
    rowid; on PostgreSQL the row's own tsvector is matched (a function call, not the
    operator: the planner can then neither use the GIN index nor read the column's
    statistics, which grow with everyone's vocabulary and cost 0.5 ms per planning)."""
    if dialect == "sqlite":
        return exists().where(_fts_match(terms), _FTS.c.rowid == id_column)
    return func.ts_match_vq(literal_column(f"message.{SEARCH_COLUMN}"), _ts_query(terms))


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
    context_ref: str | None = None
    matches_nothing: bool = False
    # How the terms are matched, set per statement by the listing (service `_search`):
    # "index" looks them up in the full-text index (below id `split`, if set), "rows"
    # tests each message (of those `window` selects, if set).
    match_by: Literal["index", "rows"] = "index"
    split: int | None = None
    window: Select[tuple[int]] | None = None

    @property
    def is_empty(self) -> bool:
        """Keeps everything: the listing is the plain box."""
        return not (
            self.touches_message
            or self.thread_id is not None
            or self.context_ref is not None
            or self.matches_nothing
        )

    @property
    def tests_rows(self) -> bool:
        """Whether a search tests the box's newest messages one by one first. Not for a
        prefix on SQLite: FTS5 (3.40) gathers every word with that prefix from the whole
        index at each test (a 3-letter prefix: 24.8 ms a page among 10^6 messages, against
        7.3 ms in one look-up), so such a search stays one look-up in the index."""
        return bool(self.terms) and not (
            self.dialect == "sqlite" and any(term.prefix for term in self.terms)
        )

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
        if filters.match_by == "rows":
            query = query.where(row_matches(filters.terms, dialect, id_column))
            if filters.window is not None:
                query = query.where(id_column.in_(filters.window))
        else:
            query = query.where(
                matching_ids(filters.terms, dialect, id_column, below=filters.split)
            )
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
    if filters.context_ref is not None:
        # Each box's context index holds only rows with a context (ix_delivery_context,
        # ix_message_sent_context): the equality implies it, to both planners.
        ref = Delivery.context_ref if received else Message.context_ref
        query = query.where(ref == filters.context_ref)
    return query


def _addressed_to(username: str, dialect: str) -> ColumnElement[bool]:
    # The receiver list as sent (message.receiver_names), not the delivery rows: a
    # receiver who deleted their copy for good stays a receiver of what was sent.
    if dialect == "sqlite":
        return text(
            "EXISTS (SELECT 1 FROM json_each(message.receiver_names) WHERE value = :to_name)"
        ).bindparams(to_name=username)  # type: ignore[return-value]
    return cast(Message.receiver_names, JSONB).contains([username])


def search_terms(q: str | None) -> tuple[Term, ...]:
    """The terms of a listing's `q`, none for a blank one; raises InvalidParameter for
    too many terms."""
    if q is None or not q.strip():
        return ()
    try:
        return parse_query(q)
    except SearchTooComplex as exc:
        raise InvalidParameter(str(exc)) from None


async def make_filter(
    db: Reader,
    *,
    q: str | None = None,
    sender: str | None = None,
    receiver: str | None = None,
    after: datetime | None = None,
    before: datetime | None = None,
    thread_id: int | None = None,
    context_ref: str | None = None,
) -> MessageFilter:
    """The filter for a listing's parameters; raises InvalidParameter for too many terms.
    A blank `q` searches nothing (it is ignored); one without letters or digits, an
    unknown user or an empty time range match nothing."""
    terms = search_terms(q)
    nothing = bool(q and q.strip()) and not terms
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
        context_ref=context_ref,
        matches_nothing=nothing,
    )
