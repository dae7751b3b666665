"""idempotency keys of server sends remember each recipient's outcome

Revision ID: 0013
Revises: 0014
Create Date: 2026-12-07

Issue 18: `POST /server/messages` answers per recipient (delivered, unknown_user,
deactivated); a retry with the same `Idempotency-Key` repeats that answer, so the key
keeps it. The system account itself needs no schema: it is a user row created on first
use (accounts/system.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN on both engines: no batch rebuild of the table (see 0011).
    op.add_column("idempotency_key", sa.Column("outcomes", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("idempotency_key", "outcomes")
