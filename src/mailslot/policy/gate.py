"""What a user's send must pass besides its addressing: the messaging policy
(policy/rules.py) and the budgets against abuse (ratelimit.AbuseBudgets).

The policy and the groups of the users a send names are remembered per process
(NotedCache, bus/cache.py): a change of the policy announces a `forget_policy` note, a
change of a user's groups the `forget_user` note every change of a user announces, and
every instance acts on it before the change is answered (over Redis; without Redis on
PostgreSQL nothing is remembered). With no policy and the limits off, a send pays one
look-up in this memory; with a policy, the groups of users it remembers cost nothing more.
Where nothing is remembered, a send reads the policy and its users' groups in one
statement, once its receivers are known (Gate.check).

"Starting a conversation" with a receiver: a send that is not a reply, or a reply whose
receiver holds no message of the thread (thread_members): a participant of the message
answered is in it, so only a reply that adds someone asks the database.

The platform's account (the system sender) and a note to oneself pass everything.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from mailslot.accounts.service import Account, username_key
from mailslot.accounts.system import is_system
from mailslot.bus.cache import NotedCache
from mailslot.bus.notes import Notes
from mailslot.db.base import utcnow
from mailslot.db.engine import Reader
from mailslot.errors import PolicyDenied
from mailslot.policy import service
from mailslot.policy.models import POLICY_ROW
from mailslot.policy.rules import Refusal, Rules, memberships
from mailslot.policy.service import Member, Policy
from mailslot.ratelimit import RateLimits

_POLICY_KEY = "messaging"


class PolicyRefused(PolicyDenied):
    """PolicyDenied that knows which receivers (username keys) the policy refused, for
    a door that answers per recipient (the server API's send)."""

    def __init__(self, refusal: Refusal, receivers: set[str]) -> None:
        super().__init__(refusal.detail)
        self.rule = refusal.rule
        self.receivers = receivers


class PolicyMemory:
    """The policy and users' groups, remembered as bus/cache.py allows."""

    def __init__(self, notes: Notes, *, ttl: float, size: int = 10_000) -> None:
        self._policy: NotedCache[str, Policy] = NotedCache(
            notes, field="forget_policy", owner=lambda _: POLICY_ROW, ttl=ttl, size=1
        )
        self._members: NotedCache[str, Member] = NotedCache(
            notes, field="forget_user", owner=lambda member: member.id, ttl=ttl, size=size
        )

    async def policy(self, db: Reader) -> Policy:
        policy = await self._policy.get_or_load(_POLICY_KEY, lambda: service.get_policy(db))
        assert policy is not None  # noqa: S101 (get_policy always answers)
        return policy

    async def forget_policy(self) -> None:
        """Every process forgets the policy; call after the change commits."""
        await self._policy.forget(POLICY_ROW)

    async def members(self, db: Reader, keys: Collection[str]) -> dict[str, Member]:
        """The users of these username keys that exist, by key: remembered, else read in
        one statement."""
        found: dict[str, Member] = {}
        missing = []
        for key in keys:
            member = self._members.get(key)
            if member is None:
                missing.append(key)
            else:
                found[key] = member
        if missing:
            generation = self._members.generation
            read = await service.find_members(db, missing)
            for key, member in read.items():
                self._members.put(key, member, generation)
            found.update(read)
        return found

    async def gate(self, db: Reader, limits: RateLimits | None) -> Gate | None:
        """What a user's send must pass, or None when nothing applies (no policy, and
        `limits` None or off)."""
        spending = limits if limits is not None and limits.enabled and limits.abuse else None
        if not self._policy.enabled:
            # Nothing is remembered: the check reads the policy with the users the send
            # names, one statement where reading the policy here would make it two.
            return Gate(None, self, spending, unread=True)
        rules = (await self.policy(db)).rules
        if rules.empty and spending is None:
            return None
        return Gate(None if rules.empty else rules, self, spending)


@dataclass(frozen=True, slots=True)
class Thread:
    """The thread a reply joins, and the username keys of the participants of the
    message it answers (who are in the thread without asking)."""

    id: int
    participants: frozenset[str]


@dataclass(frozen=True, slots=True)
class Gate:
    rules: Rules | None
    memory: PolicyMemory
    limits: RateLimits | None
    unread: bool = False  # the rules are not read yet: the check reads them

    async def check(
        self, db: Reader, *, sender: Account, receivers: list[str], thread: Thread | None
    ) -> None:
        """Raise PolicyRefused (403 policy_denied) naming the first rule that refuses a
        receiver, all receivers refused listed; then spend the abuse budgets (429 with
        Retry-After). Receivers nobody has are left to the send to refuse."""
        if is_system(sender.username):
            return
        own = username_key(sender.username)
        keys = list(dict.fromkeys(key for key in map(username_key, receivers) if key != own))
        if not keys:
            return
        rules = self.rules
        # A reply that names someone outside the thread asks who they are (_starts).
        adds = thread is not None and not thread.participants.issuperset(keys)
        if self.unread:
            found, members = await service.policy_and_members(db, [own, *keys], members=adds)
            rules = None if found.empty else found
            if rules is None and self.limits is None:
                return
        else:
            needs_members = rules is not None or adds
            members = await self.memory.members(db, [own, *keys]) if needs_members else {}
        starts = await _starts(db, keys, thread, members)
        now = utcnow()
        if rules is not None:
            await _judge(db, rules, sender, members.get(own), keys, starts, members, now)
        if self.limits is not None:
            await self.limits.spend_send(
                sender.id,
                receivers=keys,
                new_account=self.limits.is_new(sender.created_at, now),
                first_contacts=len(starts),
            )


async def _judge(
    db: Reader,
    rules: Rules,
    sender: Account,
    me: Member | None,
    keys: list[str],
    starts: set[str],
    members: dict[str, Member],
    now: datetime,
) -> None:
    """Raise PolicyRefused if the rules refuse some of `keys` (`me`: the sender as the
    policy sees them; `starts`: the receivers the send starts a conversation with)."""
    mine = me.memberships if me else memberships(())
    refusals: dict[str, Refusal] = {}
    for key in keys:
        member = members.get(key)
        if member is None:
            continue
        refusal = rules.refusal(mine, member.memberships, starts=key in starts)
        if refusal is not None:
            refusals[key] = refusal
    limit = rules.new_accounts
    if limit is not None and now - sender.created_at < timedelta(days=limit.younger_than_days):
        passing = {members[key].id: key for key in keys if key in members and key not in refusals}
        fresh, earlier = await service.new_contacts(db, sender.id, list(passing))
        if fresh and earlier + len(fresh) > limit.contacts_per_day:
            refusal = Refusal(
                "new_accounts",
                "The messaging policy refuses this message: an account younger than "
                f"{limit.younger_than_days} days may write to at most "
                f"{limit.contacts_per_day} new contacts (users who never wrote to it) "
                "in 24 hours (rule new_accounts).",
            )
            refusals.update(dict.fromkeys((passing[user] for user in fresh), refusal))
    if refusals:
        raise PolicyRefused(next(iter(refusals.values())), set(refusals))


async def _starts(
    db: Reader, keys: list[str], thread: Thread | None, members: dict[str, Member]
) -> set[str]:
    """The receivers (username keys) the send starts a conversation with."""
    if thread is None:
        return set(keys)
    outside = {
        key: members[key].id for key in keys if key not in thread.participants and key in members
    }
    if not outside:
        return set()
    inside = await service.thread_members(db, thread.id, list(outside.values()))
    return {key for key, user in outside.items() if user not in inside}
