"""The messaging policy as the server API reads and writes it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from mailslot.accounts.schemas import Input
from mailslot.policy.rules import (
    MAX_AGE_DAYS,
    MAX_CONTACTS_PER_DAY,
    MAX_RULES,
    NewAccounts,
    Pair,
    Rules,
)
from mailslot.policy.service import Policy

GroupRef = Annotated[
    str,
    Field(
        pattern=r"^(\*|@ungrouped|[A-Za-z0-9][A-Za-z0-9_.:\-]{0,63})$",
        description="A group name, `*` (every user) or `@ungrouped` (users with no group).",
    ),
]


class PairRule(BaseModel):
    """Messages from members of `from` to members of `to`."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    source: GroupRef = Field(alias="from")
    target: GroupRef = Field(alias="to")


class NewAccountsRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Strict: `true` is not a day, nor `false` a count of none.
    younger_than_days: int = Field(
        strict=True,
        ge=1,
        le=MAX_AGE_DAYS,
        description="Accounts created less than this many days ago...",
    )
    contacts_per_day: int = Field(
        strict=True,
        ge=0,
        le=MAX_CONTACTS_PER_DAY,
        description="...may write to at most this many new contacts (users who never wrote "
        "to them) in any 24 hours; 0: to none.",
    )


class MessagingPolicyPut(Input):
    """The whole policy: what is left out has no rule; `{}` removes every rule."""

    initiators: list[GroupRef] | None = Field(
        default=None,
        max_length=MAX_RULES,
        description="Only members of these groups may start a conversation; null: anyone "
        "may; `[]`: nobody may.",
    )
    reply_only: list[GroupRef] = Field(
        default_factory=list,
        max_length=MAX_RULES,
        description="Members of these groups may reply but not start a conversation.",
    )
    allow: list[PairRule] = Field(
        default_factory=list,
        max_length=MAX_RULES,
        description="With at least one, only a message some pair allows is sent.",
    )
    deny: list[PairRule] = Field(
        default_factory=list,
        max_length=MAX_RULES,
        description="A message a pair denies is refused, whatever else allows it.",
    )
    new_accounts: NewAccountsRule | None = Field(
        default=None, description="A limit on new accounts' new contacts; null: none."
    )

    @model_validator(mode="after")
    def _not_too_many(self) -> MessagingPolicyPut:
        if self.rules().count > MAX_RULES:
            raise ValueError(f"a policy holds at most {MAX_RULES} rules")
        return self

    def rules(self) -> Rules:
        limit = self.new_accounts
        return Rules(
            initiators=None if self.initiators is None else frozenset(self.initiators),
            reply_only=frozenset(self.reply_only),
            allow=tuple(dict.fromkeys(Pair(p.source, p.target) for p in self.allow)),
            deny=tuple(dict.fromkeys(Pair(p.source, p.target) for p in self.deny)),
            new_accounts=None
            if limit is None
            else NewAccounts(limit.younger_than_days, limit.contacts_per_day),
        )


class MessagingPolicyRead(BaseModel):
    initiators: list[str] | None
    reply_only: list[str]
    allow: list[PairRule]
    deny: list[PairRule]
    new_accounts: NewAccountsRule | None
    rules: int = Field(description="How many rules the policy holds (0: no policy).")
    updated_at: datetime | None = Field(description="When it was last put; null: never.")

    @classmethod
    def of(cls, policy: Policy) -> MessagingPolicyRead:
        rules = policy.rules
        return cls.model_validate(
            {**rules.to_json(), "rules": rules.count, "updated_at": policy.updated_at}
        )
