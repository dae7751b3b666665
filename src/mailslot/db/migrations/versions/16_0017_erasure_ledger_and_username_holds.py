"""the erasure ledger and erased accounts' username holds

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07

Issue 21: `erasure` is the ledger of erased accounts (ids only), re-applied by `mailslot
restore`; `username_hold` refuses an erased account's username to registration for
MAILSLOT_ERASED_USERNAME_HOLD_DAYS; two indexes make deleting messages cost a look-up
per message instead of a scan (their replies, their idempotency keys).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "erasure",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("user_created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tombstone", sa.String(length=64), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hold_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erasure")),
    )
    op.create_index(op.f("ix_erasure_user_id"), "erasure", ["user_id"])
    op.create_table(
        "username_hold",
        sa.Column("username_key", sa.String(length=64), nullable=False),
        sa.Column("held_until", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("username_key", name=op.f("pk_username_hold")),
    )
    op.create_index(op.f("ix_username_hold_held_until"), "username_hold", ["held_until"])
    # Deleting messages (an erasure) looks up their replies and idempotency keys.
    op.create_index(
        "ix_message_reply_to_id",
        "message",
        ["reply_to_id"],
        postgresql_where=sa.text("reply_to_id IS NOT NULL"),
        sqlite_where=sa.text("reply_to_id IS NOT NULL"),
    )
    op.create_index(op.f("ix_idempotency_key_message_id"), "idempotency_key", ["message_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_idempotency_key_message_id"), table_name="idempotency_key")
    op.drop_index("ix_message_reply_to_id", table_name="message")
    op.drop_index(op.f("ix_username_hold_held_until"), table_name="username_hold")
    op.drop_table("username_hold")
    op.drop_index(op.f("ix_erasure_user_id"), table_name="erasure")
    op.drop_table("erasure")
