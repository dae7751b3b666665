"""The messaging policy (`/server/policy/messaging`, scope `moderation`): who may message
whom, by the groups a host gives its users (docs/safety.md)."""

from __future__ import annotations

from fastapi import APIRouter

from mailslot.deps import DbSession, Reads, State
from mailslot.logs import audit
from mailslot.openapi import JSON_BODY, problems
from mailslot.policy import service
from mailslot.policy.schemas import MessagingPolicyPut, MessagingPolicyRead
from mailslot.serverapi.deps import Moderator

router = APIRouter(tags=["server"], responses=problems(401, 403, 429, 503))


@router.put("/server/policy/messaging", responses=problems(*JSON_BODY))
async def put_messaging_policy(
    body: MessagingPolicyPut, key: Moderator, db: DbSession, state: State
) -> MessagingPolicyRead:
    """Replace the messaging policy with these rules (`{}`: no policy). Every instance
    applies it to the next send, before this answers. A message a rule refuses is a 403
    `policy_denied` naming the rule; the server API's send reports such a recipient as
    `policy_denied`. At most 500 rules."""
    policy = await service.put_policy(db, body.rules())
    await db.commit()
    await state.policy.forget_policy()
    audit("policy.messaging_set", rules=policy.rules.count)
    return MessagingPolicyRead.of(policy)


@router.get("/server/policy/messaging")
async def get_messaging_policy(key: Moderator, reads: Reads) -> MessagingPolicyRead:
    """The messaging policy in force (every list empty and `rules` 0 when none)."""
    async with reads.connect() as db:
        return MessagingPolicyRead.of(await service.get_policy(db))
