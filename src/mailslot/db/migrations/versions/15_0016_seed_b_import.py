"""what `mailslot import seed-b` copied: source id to target id

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07

Issue 23: the import writes each copied user's and message's ids here in the transaction
that copies it, so an interrupted import resumes and a re-run copies nothing twice.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "seed_b_import",
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("source_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("target_id", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "source_id", name=op.f("pk_seed_b_import")),
    )


def downgrade() -> None:
    op.drop_table("seed_b_import")
