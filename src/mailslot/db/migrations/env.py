"""Alembic environment: runs on the connection that mailslot.db.migrate hands it."""

from __future__ import annotations

from alembic import context

import mailslot.accounts.models
import mailslot.messages.models  # noqa: F401  (registers the tables on the metadata)
from mailslot.db.base import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,  # SQLite alters tables by copying them
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
