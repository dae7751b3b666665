"""The search parser and the reply rule: pure functions, no database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mailslot.messages.search import (
    MAX_TERMS,
    SearchTooComplex,
    Term,
    fts5_query,
    include_in_autogenerate,
    parse_query,
    tsquery,
)
from mailslot.messages.threads import reply_receivers
from mailslot.messages.views import MessageView


@pytest.mark.parametrize(
    ("q", "terms"),
    [
        ("lunch", (Term(("lunch",)),)),
        ("Lunch noon", (Term(("Lunch",)), Term(("noon",)))),
        ("meet*", (Term(("meet",), prefix=True),)),
        ('"at noon" lunch', (Term(("at", "noon")), Term(("lunch",)))),
        ('"unbalanced phrase', (Term(("unbalanced", "phrase")),)),
        ("bob@example.com", (Term(("bob",)), Term(("example",)), Term(("com",)))),
        ("a_b", (Term(("a",)), Term(("b",)))),
        ("café", (Term(("café",)),)),
        ("NEAR(a b)", (Term(("NEAR",)), Term(("a",)), Term(("b",)))),
        ("subject:x", (Term(("subject",)), Term(("x",)))),
        ("'; DROP TABLE message; --", (Term(("DROP",)), Term(("TABLE",)), Term(("message",)))),
        ("% _ %_% * ^ \\ \" '' ()", ()),
        ('""', ()),
        ("", ()),
    ],
)
def test_a_query_parses_into_words_and_phrases(q, terms) -> None:
    assert parse_query(q) == terms


def test_operators_are_rendered_as_plain_strings() -> None:
    terms = parse_query('AND OR NOT "x y" z*')
    assert fts5_query(terms) == '"AND" "OR" "NOT" "x y" "z"*'
    assert tsquery(terms) == "'AND' & 'OR' & 'NOT' & 'x' <-> 'y' & 'z':*"


def test_too_many_terms_are_refused() -> None:
    parse_query(" ".join(["w"] * MAX_TERMS))
    with pytest.raises(SearchTooComplex):
        parse_query(" ".join(["w"] * (MAX_TERMS + 1)))


def test_autogenerate_skips_only_the_search_objects() -> None:
    assert not include_in_autogenerate("message_fts", "table", {})
    assert not include_in_autogenerate("message_fts_data", "table", {})
    assert not include_in_autogenerate("search_vector", "column", {})
    assert not include_in_autogenerate("ix_message_search", "index", {})
    assert include_in_autogenerate("message", "table", {})
    assert include_in_autogenerate("ix_delivery_trash", "index", {})


def _view(sender: str, receivers: list[str]) -> MessageView:
    return MessageView(
        id=1,
        sender=sender,
        receivers=receivers,
        subject="s",
        body="b",
        created_at=datetime.now(UTC),
        client_timestamp=None,
        thread_id=1,
        reply_to_id=None,
        is_receiver=True,
        read_at=None,
    )


@pytest.mark.parametrize(
    ("sender", "receivers", "replier", "expected"),
    [
        ("alice", ["bob"], "bob", ["alice"]),
        ("alice", ["bob", "carol"], "bob", ["alice", "carol"]),
        ("alice", ["bob", "carol"], "alice", ["bob", "carol"]),
        ("alice", ["Bob", "alice"], "BOB", ["alice"]),
        ("alice", ["alice"], "alice", ["alice"]),
    ],
)
def test_a_reply_goes_to_the_other_participants(sender, receivers, replier, expected) -> None:
    assert reply_receivers(_view(sender, receivers), replier) == expected
