"""An export as the API shows it."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from mailslot.exports.service import ExportView

_STATES = {"queued": "queued", "running": "running", "succeeded": "done", "failed": "failed"}


class ExportProgress(BaseModel):
    done: int = Field(description="Messages written so far.")
    total: int | None = Field(description="Messages to write; null until the export starts.")


class ExportRead(BaseModel):
    id: str = Field(description="`exp_...`")
    state: Literal["queued", "running", "done", "failed"]
    progress: ExportProgress
    created_at: datetime
    download_url: str | None = Field(
        description="Once done: where to download the zip archive, relative to the API's "
        "root; it needs no bearer token (a browser can follow it) and works until "
        "`expires_at`. Null before, and after."
    )
    expires_at: datetime | None = Field(
        description="When the archive and its link are removed; null until done."
    )

    @classmethod
    def of(cls, export: ExportView, download_url: str | None) -> ExportRead:
        state = _STATES[export.status]
        return cls(
            id=export.public_id,
            state=state,
            progress=ExportProgress(done=export.done, total=export.total),
            created_at=export.created_at,
            download_url=download_url if state == "done" else None,
            expires_at=export.expires_at if state == "done" else None,
        )


class ExportList(BaseModel):
    exports: list[ExportRead] = Field(description="Newest first.")
