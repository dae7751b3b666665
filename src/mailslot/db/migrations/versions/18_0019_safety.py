"""safety: blocks, reports, sanctions (suspended, shadow-banned)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07

Issue 22, parts 1, 3 and 4: who blocks whom (a send reads it by primary key), reports of
messages by their receivers, and each user's sanctions: the state on user_account (plain
ADD COLUMN on both engines, as 0011 does), its history in `sanction`.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _user(column: str, table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        ["user_account.id"],
        name=op.f(f"fk_{table}_{column}_user_account"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.add_column(
        "user_account", sa.Column("suspended_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "user_account", sa.Column("shadow_banned_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.create_table(
        "user_block",
        sa.Column("blocker_id", _ID, nullable=False),
        sa.Column("blocked_id", _ID, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _user("blocker_id", "user_block"),
        _user("blocked_id", "user_block"),
        sa.PrimaryKeyConstraint("blocker_id", "blocked_id", name=op.f("pk_user_block")),
    )
    op.create_index(op.f("ix_user_block_blocked_id"), "user_block", ["blocked_id"], unique=False)
    op.create_table(
        "report",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("reporter_id", _ID, nullable=False),
        sa.Column("sender_id", _ID, nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by_key_id", sa.BigInteger(), nullable=True),
        _user("reporter_id", "report"),
        _user("sender_id", "report"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report")),
        sa.UniqueConstraint(
            "message_id", "reporter_id", name=op.f("uq_report_message_id_reporter_id")
        ),
    )
    op.create_index(op.f("ix_report_state_id"), "report", ["state", "id"], unique=False)
    op.create_table(
        "sanction",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("lifted", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _user("user_id", "sanction"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sanction")),
    )
    op.create_index(op.f("ix_sanction_user_id_id"), "sanction", ["user_id", "id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_sanction_user_id_id"), table_name="sanction")
    op.drop_table("sanction")
    op.drop_index(op.f("ix_report_state_id"), table_name="report")
    op.drop_table("report")
    op.drop_index(op.f("ix_user_block_blocked_id"), table_name="user_block")
    op.drop_table("user_block")
    op.drop_column("user_account", "shadow_banned_at")
    op.drop_column("user_account", "suspended_at")
