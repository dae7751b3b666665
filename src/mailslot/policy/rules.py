"""The messaging policy's rules and what they decide about one sender and one receiver
(pure: docs/safety.md, "Who may message whom", says the same in prose).

A user is in the groups the host gave them, and in two names the policy may use besides:
`*` (every user) and `@ungrouped` (a user with no group: every user who registered
themselves, and every provisioned user without `groups`).

For a sender S and one receiver R, in this order:
1. a `deny` pair (S's group, R's group) refuses: deny wins over everything;
2. with at least one `allow` pair, only a send some allow pair matches passes;
3. a send that starts a conversation with R (it is not a reply, or R is not yet in the
   thread it replies in) is refused when S is in a `reply_only` group, or when
   `initiators` is set and S is in none of its groups.
Pairs govern every message, replies included; `reply_only` and `initiators` govern only
the start of a conversation. The new-account contact limit needs the sender's history:
policy/gate.py counts it.

A refusal names the rule and the sender's own group, never the receiver or their groups.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

GROUP_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,63}$"
_GROUP = re.compile(GROUP_PATTERN)
ANY = "*"
UNGROUPED = "@ungrouped"
PSEUDO_GROUPS = (ANY, UNGROUPED)
MAX_GROUPS_PER_USER = 32
MAX_RULES = 500
MAX_AGE_DAYS = 365
MAX_CONTACTS_PER_DAY = 10_000


def is_group_name(name: str) -> bool:
    return _GROUP.fullmatch(name) is not None


def memberships(groups: Iterable[str] | None) -> frozenset[str]:
    """The names the policy matches a user with these groups by."""
    given = frozenset(groups or ())
    return given | {ANY} if given else frozenset({ANY, UNGROUPED})


@dataclass(frozen=True, slots=True)
class Pair:
    source: str
    target: str


@dataclass(frozen=True, slots=True)
class NewAccounts:
    """Accounts younger than `younger_than_days` may write to `contacts_per_day` new
    contacts (users who never wrote to them) in any 24 hours."""

    younger_than_days: int
    contacts_per_day: int


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a send is refused: `rule` names the rule (`deny[0]`, `allow`, `reply_only`,
    `initiators`, `new_accounts`), `detail` says it to the sender."""

    rule: str
    detail: str


_REFUSED = "The messaging policy refuses this message: "


@dataclass(frozen=True)
class Rules:
    initiators: frozenset[str] | None = None
    reply_only: frozenset[str] = frozenset()
    allow: tuple[Pair, ...] = ()
    deny: tuple[Pair, ...] = ()
    new_accounts: NewAccounts | None = None
    # The pairs by their `from`, each with its `to`s (a deny pair's: the position of the
    # first with that `to`): a send looks up the sender's memberships, then the
    # receiver's among the few `to`s found, rather than trying every pair of the two
    # users' memberships (33 x 33 for two users of 32 groups: 64 µs a receiver).
    _denied: dict[str, dict[str, int]] = field(init=False, repr=False, compare=False)
    _allowed: dict[str, frozenset[str]] = field(init=False, repr=False, compare=False)
    # Asked by every send (policy/gate.py): comparing with NO_RULES builds tuples each time.
    empty: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        denied: dict[str, dict[str, int]] = {}
        for index, pair in enumerate(self.deny):
            denied.setdefault(pair.source, {}).setdefault(pair.target, index)
        object.__setattr__(self, "_denied", denied)
        allowed: dict[str, set[str]] = {}
        for pair in self.allow:
            allowed.setdefault(pair.source, set()).add(pair.target)
        object.__setattr__(
            self, "_allowed", {source: frozenset(targets) for source, targets in allowed.items()}
        )
        empty = (
            self.initiators is None
            and not self.reply_only
            and not self.allow
            and not self.deny
            and self.new_accounts is None
        )
        object.__setattr__(self, "empty", empty)

    @property
    def count(self) -> int:
        """Rules, as the limit MAX_RULES counts them: each pair, each group named by
        `initiators` and `reply_only`, and `new_accounts`."""
        return (
            len(self.initiators or ())
            + len(self.reply_only)
            + len(self.allow)
            + len(self.deny)
            + (self.new_accounts is not None)
        )

    def refusal(
        self, sender: frozenset[str], receiver: frozenset[str], *, starts: bool
    ) -> Refusal | None:
        """Why the policy refuses a message from a user of `sender` memberships to one of
        `receiver` memberships (`memberships`), or None; `starts`: it starts a
        conversation with them."""
        denied: int | None = None  # the position of the first deny pair that matches
        for source in sender:
            targets = self._denied.get(source)
            if targets:
                for target in receiver:
                    index = targets.get(target)
                    if index is not None and (denied is None or index < denied):
                        denied = index
        if denied is not None:
            return Refusal(
                f"deny[{denied}]",
                f"{_REFUSED}it denies messages from {self.deny[denied].source!r} to one "
                f"of the receivers (rule deny[{denied}]).",
            )
        if self._allowed and not self._allows(sender, receiver):
            return Refusal(
                "allow",
                f"{_REFUSED}none of its allowed pairs lets your groups write to every "
                "receiver (rule allow).",
            )
        if starts:
            replier = sorted(self.reply_only & sender)
            if replier:
                return Refusal(
                    "reply_only",
                    f"{_REFUSED}your group {replier[0]!r} may reply but not start a "
                    "conversation (rule reply_only).",
                )
            if self.initiators is not None and not self.initiators & sender:
                return Refusal(
                    "initiators",
                    f"{_REFUSED}only the groups it names may start a conversation "
                    "(rule initiators).",
                )
        return None

    def _allows(self, sender: frozenset[str], receiver: frozenset[str]) -> bool:
        for source in sender:
            targets = self._allowed.get(source)
            if targets is not None and not targets.isdisjoint(receiver):
                return True
        return False

    def to_json(self) -> dict[str, Any]:
        return {
            "initiators": None if self.initiators is None else sorted(self.initiators),
            "reply_only": sorted(self.reply_only),
            "allow": [{"from": p.source, "to": p.target} for p in self.allow],
            "deny": [{"from": p.source, "to": p.target} for p in self.deny],
            "new_accounts": None
            if self.new_accounts is None
            else {
                "younger_than_days": self.new_accounts.younger_than_days,
                "contacts_per_day": self.new_accounts.contacts_per_day,
            },
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Rules:
        """Rules from to_json's shape (as stored: checked when put)."""
        initiators = data.get("initiators")
        new_accounts = data.get("new_accounts")
        return cls(
            initiators=None if initiators is None else frozenset(initiators),
            reply_only=frozenset(data.get("reply_only") or ()),
            allow=tuple(Pair(p["from"], p["to"]) for p in data.get("allow") or ()),
            deny=tuple(Pair(p["from"], p["to"]) for p in data.get("deny") or ()),
            new_accounts=None if new_accounts is None else NewAccounts(**new_accounts),
        )


NO_RULES = Rules()
