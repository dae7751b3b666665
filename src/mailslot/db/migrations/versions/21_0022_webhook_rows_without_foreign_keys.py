"""webhook deliveries and attempts without foreign keys

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07

Issue 19 (webhooks), the send's cost: each foreign key of a row the outbox writes ran
its check as a query of its own, per row, and locked the row it points at. Every send
locked the one endpoint's row (concurrent sends share that lock as a multixact), and
every recorded attempt its delivery's row, a write of that row's header. Without them, in
process, the outbox cost a send 184 us of the database's CPU, against 500 with them
(bench/README.md). What the cascades did, the code now does (webhooks/endpoints.py,
webhooks/log.py, rights/erasure/service.py), and the log's purge also takes deliveries
whose endpoint is gone (a send that raced the endpoint's delete).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DROPPED = (
    ("webhook_delivery", "fk_webhook_delivery_endpoint_id_webhook_endpoint"),
    ("webhook_delivery", "fk_webhook_delivery_event_id_webhook_event"),
    ("webhook_attempt", "fk_webhook_attempt_delivery_id_webhook_delivery"),
)


def upgrade() -> None:
    for table, name in _DROPPED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(name, type_="foreignkey")


def downgrade() -> None:
    with op.batch_alter_table("webhook_attempt", schema=None) as batch_op:
        batch_op.create_foreign_key(
            "fk_webhook_attempt_delivery_id_webhook_delivery",
            "webhook_delivery",
            ["delivery_id"],
            ["id"],
            ondelete="CASCADE",
        )
    with op.batch_alter_table("webhook_delivery", schema=None) as batch_op:
        batch_op.create_foreign_key(
            "fk_webhook_delivery_event_id_webhook_event",
            "webhook_event",
            ["event_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_foreign_key(
            "fk_webhook_delivery_endpoint_id_webhook_endpoint",
            "webhook_endpoint",
            ["endpoint_id"],
            ["id"],
            ondelete="CASCADE",
        )
