"""A host's export of a user's mailbox (`mailbox:read`, audited): the same archive as the
user's own export (exports/), started here and downloaded with the link it gives."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from mailslot.accounts.schemas import ExternalId
from mailslot.deps import Reads, Sessions, State
from mailslot.exports import service
from mailslot.exports.routes import ExportId, export_read
from mailslot.exports.schemas import ExportRead
from mailslot.openapi import problems
from mailslot.serverapi.deps import MailboxReader
from mailslot.serverapi.mailbox import record_read

router = APIRouter(tags=["server"], responses=problems(503))


@router.post(
    "/server/users/{external_id}/exports",
    status_code=202,
    responses=problems(401, 403, 404, 422, 429),
)
async def post_server_user_export(
    external_id: Annotated[ExternalId, Path()],
    key: MailboxReader,
    sessions: Sessions,
    state: State,
) -> ExportRead:
    """Start an export of the user's whole mailbox: the archive the user's own export
    makes (`POST /users/{username}/exports`), without its hourly limit and not listed to
    the user. Recorded in the audit trail (`GET /server/audit`) as a read of the
    mailbox. Follow it with `GET /server/users/{external_id}/exports/{export_id}`; its
    `download_url` needs no key. 404 `user_not_found`."""
    mailbox = await record_read(
        sessions,
        key_id=key.key_id,
        operation="post_server_user_export",
        external_id=external_id,
        query={},
        action="mailbox.export",
    )
    async with sessions() as db:
        export, job = await service.start_export(db, user_id=mailbox.id, origin="server")
        await db.commit()
    state.jobs.wake()
    return export_read(state, service.view_of(export, job))


@router.get(
    "/server/users/{external_id}/exports/{export_id}",
    responses=problems(401, 403, 404, 422, 429),
)
async def get_server_user_export(
    external_id: Annotated[ExternalId, Path()],
    export_id: ExportId,
    key: MailboxReader,
    reads: Reads,
    state: State,
) -> ExportRead:
    """An export the server API started: its state, progress, and once done its
    `download_url`. 404 `export_not_found`."""
    async with reads.connect() as db:
        export = await service.get_export(
            db, public_id=export_id, external_id=external_id, origin="server"
        )
    return export_read(state, export)
