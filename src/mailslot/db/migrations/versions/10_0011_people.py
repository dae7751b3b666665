"""people: host ids, display names, custom data, deactivation

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07

Issue 18: a host application provisions users by its own ids (`external_id`, unique),
with a display name and a JSON object of its own (`custom`), and may deactivate them.
Plain ADD COLUMN and CREATE INDEX on both engines: on SQLite a batch rebuild of
user_account would DROP the table that every other table references (refused while they
hold rows, and ON DELETE CASCADE where it is not). So a provisioned user's password_hash
stays NOT NULL and holds `accounts.service.NO_PASSWORD` instead.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("user_account", sa.Column("external_id", sa.String(length=128), nullable=True))
    op.add_column("user_account", sa.Column("display_name", sa.String(length=100), nullable=True))
    op.add_column("user_account", sa.Column("custom", sa.JSON(), nullable=True))
    op.add_column(
        "user_account", sa.Column("deactivated_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.create_index("ix_user_account_external_id", "user_account", ["external_id"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_user_account_external_id", table_name="user_account")
    for column in ("deactivated_at", "custom", "display_name", "external_id"):
        op.drop_column("user_account", column)
