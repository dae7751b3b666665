"""delivery.message_id: a hash index on PostgreSQL

Revision ID: 0005
Revises: 0002
Create Date: 2026-11-21

The index finds every receiver's copy of one message (a sender's delete). As a B-tree it
also offers deliveries in message id order, and PostgreSQL took that for a page of a large
mailbox whose messages are older than other users' newest: walking back through every
newer delivery of everyone else, 48,000 rows and 6 ms at 10^6 messages against 0.17 ms on
the mailbox's own index. A hash index answers the lookups and offers no order. SQLite has
no hash indexes, and its planner does not make that choice. The rebuild holds writes to
`delivery` while it runs (README, "PostgreSQL").
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_delivery_message_id", table_name="delivery")
        op.create_index(
            "ix_delivery_message_id", "delivery", ["message_id"], postgresql_using="hash"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_delivery_message_id", table_name="delivery")
        op.create_index("ix_delivery_message_id", "delivery", ["message_id"])
