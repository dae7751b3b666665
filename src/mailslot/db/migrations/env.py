"""Alembic environment: runs on the connection that mailslot.db.migrate hands it."""

from __future__ import annotations

from alembic import context

from mailslot.db.base import metadata
from mailslot.messages.search import include_in_autogenerate

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,  # SQLite alters tables by copying them
    compare_type=True,
    # The full-text objects of migration 0003 are hand-written, per dialect.
    include_name=include_in_autogenerate,
)
with context.begin_transaction():
    context.run_migrations()
