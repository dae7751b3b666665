"""access_token.expires_at: an index for the purge of expired tokens

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-06

Every sign-in adds a token and nothing deleted the expired ones; the purge now does, in
batches, oldest first, and this index lets it find them without reading every live token.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_access_token_expires_at", "access_token", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_access_token_expires_at", table_name="access_token")
