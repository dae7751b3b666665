"""a delivery's latest attempt on its own row; its unique key serves lookups by event

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07

Issue 19 (webhooks), a delivered event's cost. Every attempt was written twice: as a
row of webhook_attempt and in the delivery's last_* columns. Now webhook_attempt keeps
the attempts before the latest, which the delivery's row alone holds (a retry moves it
across before it records the next: webhooks/delivery.py), so a delivery that succeeds
at once, nearly all of them, writes no attempt row. The unique key (endpoint_id,
event_id) becomes (event_id, endpoint_id), which serves the lookups by event that
ix_webhook_delivery_event_id served: one index fewer to write on every delivery's
insert and every recorded outcome.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_LATEST = """
    FROM webhook_delivery
    WHERE webhook_delivery.id = webhook_attempt.delivery_id
      AND webhook_delivery.attempts = webhook_attempt.number
"""


def upgrade() -> None:
    op.execute(f"DELETE FROM webhook_attempt WHERE EXISTS (SELECT 1 {_LATEST})")  # noqa: S608
    with op.batch_alter_table("webhook_delivery", schema=None) as batch_op:
        batch_op.drop_index("ix_webhook_delivery_event_id")
        batch_op.drop_constraint("uq_webhook_delivery_endpoint_id_event_id", type_="unique")
        batch_op.create_unique_constraint(
            "uq_webhook_delivery_event_id_endpoint_id", ["event_id", "endpoint_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("webhook_delivery", schema=None) as batch_op:
        batch_op.drop_constraint("uq_webhook_delivery_event_id_endpoint_id", type_="unique")
        batch_op.create_unique_constraint(
            "uq_webhook_delivery_endpoint_id_event_id", ["endpoint_id", "event_id"]
        )
        batch_op.create_index("ix_webhook_delivery_event_id", ["event_id"], unique=False)
    op.execute(
        """
        INSERT INTO webhook_attempt
            (delivery_id, number, started_at, status_code, latency_ms, response, error)
        SELECT id, attempts, last_attempt_at, last_status_code, last_latency_ms,
               last_response, last_error
        FROM webhook_delivery
        WHERE attempts > 0
        """
    )
