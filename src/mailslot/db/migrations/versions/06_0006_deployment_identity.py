"""deployment identity

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    deployment = op.create_table(
        "deployment",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_deployment_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deployment")),
    )
    # Drawn here, once per database: every instance over it reads the same identity.
    op.bulk_insert(deployment, [{"id": 1, "key": uuid.uuid4().hex}])


def downgrade() -> None:
    op.drop_table("deployment")
