"""exports and their archive pieces

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07

Issue 21: `export` is a user's export of their mailbox, built by a job; `export_chunk`
holds its zip archive in pieces, in the database, so that any instance serves what any
other built.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "export",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("job_id", ID, nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("files", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["job_id"], ["job.id"], name=op.f("fk_export_job_id_job"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_export_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export")),
        sa.UniqueConstraint("public_id", name=op.f("uq_export_public_id")),
    )
    with op.batch_alter_table("export", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_export_user_id_id"), ["user_id", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_export_expires_at"), ["expires_at"], unique=False)
    op.create_table(
        "export_chunk",
        sa.Column("export_id", ID, nullable=False),
        sa.Column("file", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["export_id"],
            ["export.id"],
            name=op.f("fk_export_chunk_export_id_export"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("export_id", "file", "seq", name=op.f("pk_export_chunk")),
    )


def downgrade() -> None:
    op.drop_table("export_chunk")
    with op.batch_alter_table("export", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_export_expires_at"))
        batch_op.drop_index(batch_op.f("ix_export_user_id_id"))
    op.drop_table("export")
