"""The rules alone (pure): what each decides for one sender and one receiver."""

from __future__ import annotations

import pytest

from mailslot.policy.rules import NO_RULES, NewAccounts, Pair, Rules, memberships

STUDENT = memberships(["students"])
TEACHER = memberships(["teachers"])
BOTH = memberships(["students", "teachers"])
NOBODY = memberships([])


def rule(
    rules: Rules, sender: frozenset[str], receiver: frozenset[str], *, starts: bool = True
) -> str | None:
    refusal = rules.refusal(sender, receiver, starts=starts)
    return None if refusal is None else refusal.rule


def test_memberships_name_every_user_and_the_ungrouped() -> None:
    assert {"students", "*"} == STUDENT
    assert {"*", "@ungrouped"} == NOBODY


def test_no_rules_refuse_nothing() -> None:
    assert NO_RULES.empty
    assert NO_RULES.count == 0
    assert rule(NO_RULES, STUDENT, TEACHER) is None


def test_deny_wins_over_allow_and_over_replies() -> None:
    rules = Rules(
        allow=(Pair("students", "teachers"),),
        deny=(Pair("students", "students"), Pair("*", "teachers")),
    )
    assert rule(rules, STUDENT, TEACHER) == "deny[1]"
    assert rule(rules, STUDENT, TEACHER, starts=False) == "deny[1]"
    assert rule(rules, STUDENT, STUDENT) == "deny[0]"


def test_the_first_deny_pair_that_matches_is_named() -> None:
    rules = Rules(
        deny=(
            Pair("teachers", "students"),
            Pair("*", "students"),
            Pair("students", "*"),
            Pair("students", "teachers"),
        )
    )
    assert rule(rules, BOTH, BOTH) == "deny[0]"
    assert rule(rules, STUDENT, STUDENT) == "deny[1]"
    assert rule(rules, STUDENT, TEACHER) == "deny[2]"
    assert rule(rules, TEACHER, TEACHER) is None


def test_a_pair_matches_through_any_one_of_many_groups() -> None:
    sender = memberships([f"s{n}" for n in range(32)])
    receiver = memberships([f"r{n}" for n in range(32)])
    assert rule(Rules(allow=(Pair("s31", "r0"),)), sender, receiver) is None
    assert rule(Rules(allow=(Pair("s31", "s0"),)), sender, receiver) == "allow"
    assert rule(Rules(deny=(Pair("x", "r0"), Pair("s7", "r31"))), sender, receiver) == "deny[1]"


def test_only_the_rules_that_say_nothing_are_empty() -> None:
    assert Rules().empty
    assert Rules.from_json(NO_RULES.to_json()).empty
    for rules in (
        Rules(initiators=frozenset()),  # nobody may start a conversation
        Rules(reply_only=frozenset({"students"})),
        Rules(allow=(Pair("*", "*"),)),
        Rules(deny=(Pair("*", "*"),)),
        Rules(new_accounts=NewAccounts(1, 1)),
    ):
        assert not rules.empty, rules


def test_with_an_allow_pair_only_allowed_pairs_pass() -> None:
    rules = Rules(allow=(Pair("students", "teachers"),))
    assert rule(rules, STUDENT, TEACHER) is None
    assert rule(rules, BOTH, BOTH) is None  # one of each user's groups is enough
    assert rule(rules, TEACHER, STUDENT) == "allow"
    assert rule(rules, TEACHER, STUDENT, starts=False) == "allow"
    assert rule(rules, NOBODY, TEACHER) == "allow"
    assert rule(Rules(allow=(Pair("@ungrouped", "*"),)), NOBODY, TEACHER) is None


def test_reply_only_and_initiators_decide_only_starts() -> None:
    reply_only = Rules(reply_only=frozenset({"students"}))
    assert rule(reply_only, STUDENT, TEACHER) == "reply_only"
    assert rule(reply_only, STUDENT, TEACHER, starts=False) is None
    assert rule(reply_only, BOTH, TEACHER) == "reply_only"  # refusing wins
    initiators = Rules(initiators=frozenset({"teachers"}))
    assert rule(initiators, TEACHER, STUDENT) is None
    assert rule(initiators, STUDENT, TEACHER) == "initiators"
    assert rule(initiators, STUDENT, TEACHER, starts=False) is None
    assert rule(Rules(initiators=frozenset()), TEACHER, STUDENT) == "initiators"


@pytest.mark.parametrize(
    "rules",
    [
        NO_RULES,
        Rules(initiators=frozenset()),
        Rules(
            initiators=frozenset({"a", "*"}),
            reply_only=frozenset({"b"}),
            allow=(Pair("a", "b"), Pair("b", "a")),
            deny=(Pair("@ungrouped", "a"),),
            new_accounts=NewAccounts(7, 3),
        ),
    ],
)
def test_rules_survive_their_json(rules: Rules) -> None:
    assert Rules.from_json(rules.to_json()) == rules


def test_the_count_is_every_pair_group_and_limit() -> None:
    rules = Rules(
        initiators=frozenset({"a", "b"}),
        reply_only=frozenset({"c"}),
        allow=(Pair("a", "b"),),
        deny=(Pair("b", "a"), Pair("c", "a")),
        new_accounts=NewAccounts(1, 1),
    )
    assert rules.count == 7
