"""webhook deliveries and attempts without foreign keys; room on their pages

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

On PostgreSQL the delivery and event tables leave half of each page free (fillfactor
50): a claim (`claimed_until`) and a render (`data`) change no indexed column, so their
new row versions can stay on the page, without an entry in every index (HOT updates).
In process, draining 2,000 events: 220 and 242 us of the database's CPU an event, 195
and 210 with the room.
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


_ROOMY = ("webhook_delivery", "webhook_event")  # PostgreSQL: fillfactor 50


def upgrade() -> None:
    for table, name in _DROPPED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(name, type_="foreignkey")
    if op.get_bind().dialect.name == "postgresql":
        for table in _ROOMY:
            op.execute(f"ALTER TABLE {table} SET (fillfactor = 50)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in _ROOMY:
            op.execute(f"ALTER TABLE {table} RESET (fillfactor)")
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
