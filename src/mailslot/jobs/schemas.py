"""A job as the API shows it."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from mailslot.jobs.models import Job


class JobRead(BaseModel):
    id: str = Field(description="`job_...`")
    kind: str = Field(description="What it does: `webhook.replay`, `mailbox.export`.")
    status: Literal["queued", "running", "succeeded", "failed"]
    params: dict[str, Any] = Field(description="What was asked, as the request gave it.")
    done: int = Field(description="Items handled so far.")
    total: int | None = Field(description="Items to handle; null until the job starts.")
    error: str | None = Field(description="Why it failed, when it did.")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def of(cls, job: Job) -> JobRead:
        return cls(
            id=job.public_id,
            kind=job.kind,
            status=job.status,
            # Keys starting with "_" are the job's own bookmarks (where to resume).
            params={k: v for k, v in job.params.items() if not k.startswith("_")},
            done=job.done,
            total=job.total,
            error=job.error,
            created_at=job.created_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
        )
