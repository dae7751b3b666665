"""Self-service exports: start one, follow it, download its archive with the link it gives."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import StreamingResponse

from mailslot.accounts import service as accounts
from mailslot.accounts.deps import CurrentUser, require_self
from mailslot.db.base import utcnow
from mailslot.deps import Reads, Sessions, State
from mailslot.exports import service
from mailslot.exports.schemas import ExportList, ExportRead
from mailslot.openapi import problems
from mailslot.state import AppState

router = APIRouter(tags=["exports"], responses=problems(503))

ExportId = Annotated[str, Path(max_length=32, description="The export's id, `exp_...`.")]
ZIP = "application/zip"


def export_read(state: AppState, export: service.ExportView) -> ExportRead:
    key = service.link_key(state.settings.resolved_secret_key())
    return ExportRead.of(export, service.download_url(key, export, now=utcnow()))


@router.post("/users/{username}/exports", status_code=202, responses=problems(401, 403, 429))
async def post_export(
    username: str, user: CurrentUser, sessions: Sessions, state: State
) -> ExportRead:
    """Start an export of your whole mailbox: a zip archive of your profile, your
    received, sent and trashed messages as JSON lines (each line as the messages API
    shows it) and as mbox files a mail client opens, with a manifest of SHA-256 sums.
    Follow it with `GET /users/{username}/exports/{export_id}`; once `done`, its
    `download_url` works without a bearer token until `expires_at`. One export per
    hour (MAILSLOT_EXPORT_INTERVAL): a 429 with `Retry-After` before then."""
    require_self(user, username)
    interval = state.settings.export_interval
    async with sessions() as db:
        export, job = await service.start_export(
            db,
            user_id=user.id,
            origin="user",
            interval=timedelta(seconds=interval) if interval else None,
        )
        await db.commit()
    state.jobs.wake()
    return export_read(state, service.view_of(export, job))


@router.get("/users/{username}/exports", responses=problems(401, 403, 429))
async def list_exports(username: str, user: CurrentUser, reads: Reads, state: State) -> ExportList:
    """Your exports, newest first, until each is removed (`expires_at`, or a week after
    one that failed)."""
    require_self(user, username)
    async with reads.connect() as db:
        found = await service.list_exports(db, user_id=user.id, origin="user")
    return ExportList(exports=[export_read(state, export) for export in found])


@router.get("/users/{username}/exports/{export_id}", responses=problems(401, 403, 404, 422, 429))
async def get_export(
    username: str, export_id: ExportId, user: CurrentUser, reads: Reads, state: State
) -> ExportRead:
    """One of your exports: `queued`, `running` (`progress`), `done` (`download_url`)
    or `failed`. 404 `export_not_found`."""
    require_self(user, username)
    async with reads.connect() as db:
        export = await service.get_export(db, public_id=export_id, user_id=user.id, origin="user")
    return export_read(state, export)


ARCHIVE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The zip archive.",
        "content": {ZIP: {"schema": {"type": "string", "format": "binary"}}},
    },
    **problems(403, 410, 422),
}


@router.get(
    "/exports/{export_id}/archive",
    response_class=StreamingResponse,
    responses=ARCHIVE,
)
async def get_export_archive(
    export_id: ExportId,
    reads: Reads,
    state: State,
    expires: Annotated[int, Query(ge=0, lt=2**53, description="From the download link.")],
    signature: Annotated[str, Query(max_length=64, description="From the download link.")],
) -> StreamingResponse:
    """Download an export's archive, with the link its export gives (`download_url`):
    no bearer token needed, so a browser can follow it. 403 `invalid_download_link` for
    an altered link; 410 `export_expired` once it has expired or the archive is gone."""
    now = utcnow()
    key = service.link_key(state.settings.resolved_secret_key())
    service.check_link(key, export_id, expires, signature, now=now)
    async with reads.connect() as db:
        export = await service.find_archive(db, public_id=export_id, expires=expires, now=now)
        owner = await accounts.find_user_by_id(db, export.user_id)
    name = service.archive_name(owner.username if owner else "user", export)
    return StreamingResponse(
        service.archive_bytes(reads, export),
        media_type=ZIP,
        headers={
            "Content-Length": str(export.size),
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store",
            "Referrer-Policy": "no-referrer",
        },
    )
