"""The safety routes of a user's own: blocks, and reporting a message."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from mailslot.accounts.deps import CurrentUser, require_self
from mailslot.deps import Reads, Sessions
from mailslot.messages.schemas import Id
from mailslot.openapi import JSON_BODY, problems
from mailslot.safety import blocks, reports
from mailslot.safety.schemas import BlockList, BlockRead, ReportCreate, ReportCreated, ReportRead

router = APIRouter(tags=["safety"], responses=problems(503))

Other = Annotated[str, Path(max_length=64, description="The username to block or unblock.")]


@router.put("/users/{username}/blocks/{other}", responses=problems(401, 403, 404, 422))
async def put_block(
    username: str, other: Other, user: CurrentUser, sessions: Sessions
) -> BlockRead:
    """Block a user: from now on their messages do not reach you, and they are not told
    (their sent box shows the message as sent to you). What they sent before stays.
    Blocking again changes nothing. 404 `user_not_found` for a name nobody has; 422 for
    yourself, or `too_many_blocks` past 1,000."""
    require_self(user, username)
    async with sessions() as db:
        blocked = await blocks.block_user(db, user=user, other=other)
        await db.commit()
    return BlockRead.of(blocked)


@router.delete(
    "/users/{username}/blocks/{other}", status_code=204, responses=problems(401, 403, 404, 422)
)
async def delete_block(
    username: str, other: Other, user: CurrentUser, sessions: Sessions
) -> Response:
    """Unblock a user: their new messages reach you again (those sent while blocked never
    will: they were not delivered). Unblocking someone not blocked changes nothing."""
    require_self(user, username)
    async with sessions() as db:
        await blocks.unblock_user(db, user=user, other=other)
        await db.commit()
    return Response(status_code=204)


@router.get("/users/{username}/blocks", responses=problems(401, 403))
async def list_blocks(username: str, user: CurrentUser, reads: Reads) -> BlockList:
    """Everyone you block, newest block first."""
    require_self(user, username)
    async with reads.connect() as db:
        found = await blocks.list_blocks(db, user=user)
    return BlockList(blocks=[BlockRead.of(blocked) for blocked in found])


@router.post(
    "/users/{username}/messages/{message_id}/report",
    status_code=201,
    responses={
        **problems(401, 403, 404, *JSON_BODY),
        200: {"model": ReportCreated, "description": "Reported already: the first report"},
    },
)
async def post_report(
    username: str,
    message_id: Annotated[Id, Path()],
    body: ReportCreate,
    user: CurrentUser,
    sessions: Sessions,
    response: Response,
) -> ReportCreated:
    """Report a message you received to the operator, with a reason (`spam`,
    `harassment`, `inappropriate`, `other`) and an optional note. The sender is not told,
    and never learns who reported. Reporting the same message again answers the first
    report (200). 404 for a message not in your mailbox; 403 `not_a_receiver` for one
    you sent."""
    require_self(user, username)
    async with sessions() as db:
        report, new = await reports.report_message(
            db,
            reporter=user,
            message_id=message_id,
            reason=body.reason,
            note=body.note,
            data=lambda record: ReportRead.of(record).model_dump(mode="json"),
        )
        await db.commit()
    if not new:
        response.status_code = 200
    return ReportCreated(id=report.id, state=report.state, created_at=report.created_at)
