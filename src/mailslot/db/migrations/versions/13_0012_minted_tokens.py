"""access_token: a public id, scopes and a label, for tokens a host mints

Revision ID: 0012
Revises: 0013
Create Date: 2026-12-07

Issue 18: the server API mints tokens for a host's users, lists them and revokes them one
by one, so each token gets a public id (`tok_...`, never its hash), its scopes (`read`
alone makes a read-only token; sign-ins and existing tokens have `read write`) and the
host's label. Live tokens get an id here, one random value each.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# `tok_` and 24 hex digits, as accounts.service.new_token_id makes them.
_BACKFILL = {
    "sqlite": "UPDATE access_token SET token_id = 'tok_' || lower(hex(randomblob(12)))",
    "postgresql": "UPDATE access_token SET token_id = "
    "'tok_' || substr(md5(random()::text || encode(token_hash, 'hex')), 1, 24)",
}


def upgrade() -> None:
    with op.batch_alter_table("access_token", schema=None) as batch_op:
        batch_op.add_column(sa.Column("token_id", sa.String(length=32), nullable=True))
        batch_op.add_column(
            sa.Column("scopes", sa.String(length=32), server_default="read write", nullable=False)
        )
        batch_op.add_column(sa.Column("label", sa.String(length=100), nullable=True))
    op.execute(_BACKFILL[op.get_bind().dialect.name])
    with op.batch_alter_table("access_token", schema=None) as batch_op:
        batch_op.alter_column("token_id", existing_type=sa.String(length=32), nullable=False)
        batch_op.create_unique_constraint("uq_access_token_token_id", ["token_id"])


def downgrade() -> None:
    with op.batch_alter_table("access_token", schema=None) as batch_op:
        batch_op.drop_constraint("uq_access_token_token_id", type_="unique")
        batch_op.drop_column("label")
        batch_op.drop_column("scopes")
        batch_op.drop_column("token_id")
