"""`mailslot audit`: the trail of mailbox reads through the server API."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from mailslot.audit import service
from mailslot.audit.schemas import DEFAULT_LIMIT
from mailslot.cli.database import in_transaction


def _instant(text: str | None) -> datetime | None:
    """An ISO 8601 date or date and time; one without an offset is UTC."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not an ISO 8601 date and time") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def audit(
    user: Annotated[
        str | None, typer.Option("--user", help="reads of this user's mailbox: the host's id")
    ] = None,
    username: Annotated[
        str | None, typer.Option("--username", help="reads of this user's mailbox")
    ] = None,
    since: Annotated[
        str | None,
        typer.Option("--since", help="read at or after, ISO 8601 (UTC if no offset)"),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="at most this many")] = DEFAULT_LIMIT,
) -> None:
    """Who read which mailbox through the server API, newest first: when, the key, whose
    mailbox, and what (a page and its query, or a message)."""
    after = _instant(since)
    records, more = in_transaction(
        lambda db: service.list_reads(
            db, external_id=user, username=username, since=after, limit=limit
        )
    )
    table = Table("read at", "key", "user", "external id", "what", box=None)
    for record in records:
        what = (
            f"message {record.message_id}"
            if record.message_id is not None
            else f"list {json.dumps(record.query, sort_keys=True)}"
        )
        table.add_row(
            f"{record.read_at:%Y-%m-%d %H:%M:%S}Z",
            record.key_name,
            record.username,
            record.external_id or "-",
            what,
        )
    console = Console(width=200)
    console.print(table)
    if more:
        console.print("(more: raise --limit, or narrow with --since)")
