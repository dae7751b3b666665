"""message and delivery: conversation context (`context_ref`, `context_data`)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07

A send may carry a context (issue 18): a host's reference, such as `order:A-123`, a
JSON object of at most 4 KiB, and whether a host signed it (a context token). The ref is copied to each delivery, as the thread id is, so
that the inbox and the sent box filtered by context are range scans on an index of their
own. The indexes hold only rows that have a context: a mailbox without any pays nothing.
Adding nullable columns rewrites no table on either engine.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SENT = "deleted_by_sender_at IS NULL AND context_ref IS NOT NULL"
INBOX = "deleted_at IS NULL AND context_ref IS NOT NULL"


def upgrade() -> None:
    op.add_column("message", sa.Column("context_ref", sa.String(200), nullable=True))
    op.add_column("message", sa.Column("context_data", sa.JSON(), nullable=True))
    op.add_column("message", sa.Column("context_signed", sa.Boolean(), nullable=True))
    op.add_column("delivery", sa.Column("context_ref", sa.String(200), nullable=True))
    op.create_index(
        "ix_message_sent_context",
        "message",
        ["sender_id", "context_ref", "id"],
        postgresql_where=sa.text(SENT),
        sqlite_where=sa.text(SENT),
    )
    op.create_index(
        "ix_delivery_context",
        "delivery",
        ["receiver_id", "context_ref", "message_id"],
        postgresql_where=sa.text(INBOX),
        sqlite_where=sa.text(INBOX),
    )


def downgrade() -> None:
    op.drop_index("ix_delivery_context", table_name="delivery")
    op.drop_index("ix_message_sent_context", table_name="message")
    # ALTER TABLE ... DROP COLUMN on both (SQLite 3.35+): no table is rebuilt, so the
    # search triggers on message stay.
    op.drop_column("delivery", "context_ref")
    op.drop_column("message", "context_signed")
    op.drop_column("message", "context_data")
    op.drop_column("message", "context_ref")
