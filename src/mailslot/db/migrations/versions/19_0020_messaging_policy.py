"""the messaging policy and provisioned users' groups

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07

Issue 22: a host gives its users groups (`PUT /server/users/{external_id}`) and sets, over
the server API, which groups may message which (`PUT /server/policy/messaging`): one row.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "messaging_policy",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_messaging_policy_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messaging_policy")),
    )
    op.add_column("user_account", sa.Column("groups", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("groups")
    op.drop_table("messaging_policy")
