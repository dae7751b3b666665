"""people: host ids, display names, custom data, deactivation; passwords optional

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-07

Issue 18: a host application provisions users by its own ids (`external_id`, unique),
with a display name and a JSON object of its own (`custom`), and may deactivate them. A
provisioned user has no password, so `password_hash` becomes nullable.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("external_id", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("display_name", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("custom", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("deactivated_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.alter_column("password_hash", existing_type=sa.String(length=255), nullable=True)
        batch_op.create_unique_constraint("uq_user_account_external_id", ["external_id"])


def downgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_constraint("uq_user_account_external_id", type_="unique")
        batch_op.alter_column("password_hash", existing_type=sa.String(length=255), nullable=False)
        batch_op.drop_column("deactivated_at")
        batch_op.drop_column("custom")
        batch_op.drop_column("display_name")
        batch_op.drop_column("external_id")
