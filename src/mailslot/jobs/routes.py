"""Jobs under the server API: `GET /server/jobs/{job_id}` shows how far one got."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from mailslot.deps import Sessions
from mailslot.jobs import service
from mailslot.jobs.schemas import JobRead
from mailslot.openapi import problems
from mailslot.serverapi.deps import WebhooksManager

router = APIRouter(tags=["server"], responses=problems(401, 403, 429, 503))

PathJobId = Annotated[str, Path(max_length=32, description="The job's id, `job_...`.")]


@router.get("/server/jobs/{job_id}", responses=problems(404, 422))
async def get_server_job(job_id: PathJobId, key: WebhooksManager, sessions: Sessions) -> JobRead:
    """A job a request started (a webhook replay: `POST /server/webhooks/{webhook_id}/
    replay`): `queued`, `running`, then `succeeded` or `failed` (`error` says why), with
    `done` of `total` items so far. 404 `job_not_found`."""
    async with sessions() as db:
        return JobRead.of(await service.get_job(db, job_id))
