"""retention: legal holds, the retention job's lease row, an index on message age

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07

Issue 21 (retention): `legal_hold` names the users whose mail the retention job keeps;
`retention_run` is the job's one row (its lease, so one instance runs it at a time, and
its last run); `ix_message_created_at` lets the job and `retention status` walk the
messages older than the cutoff, oldest first. The indexes a message's delete needs to
find the rows whose foreign keys point at it (replies, idempotency keys) came with
erasure's 0017: without them, in bench/retention.py at 1.2 * 10^5 messages, the job's
DELETE failed; with them it deleted ~450 messages a second on a loaded machine.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "legal_hold",
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("held_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_legal_hold_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_legal_hold")),
    )
    op.create_table(
        "retention_run",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=True),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted", sa.BigInteger(), nullable=False),
        sa.Column("cutoff", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_run")),
    )
    op.execute("INSERT INTO retention_run (id, deleted) VALUES (1, 0)")
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.create_index("ix_message_created_at", ["created_at", "id"], unique=False)
    # The indexes deleting a message needs (replies, idempotency keys) came with 0017.


def downgrade() -> None:
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.drop_index("ix_message_created_at")
    op.drop_table("retention_run")
    op.drop_table("legal_hold")
