"""`mailslot audit`: the trail of mailbox reads through the server API."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated

import typer

from mailslot.cli.database import in_transaction
from mailslot.cli.output import print_json, print_table

DEFAULT_LIMIT = 50  # the server API's (audit/schemas.py): not imported, to start light


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
    json_output: Annotated[bool, typer.Option("--json", help="one JSON document")] = False,
) -> None:
    """Who read which mailbox through the server API, newest first: when, the key, whose
    mailbox, and what (a page and its query, or a message)."""
    from mailslot.audit import service

    after = _instant(since)
    records, more = in_transaction(
        "audit",
        lambda db: service.list_reads(
            db, external_id=user, username=username, since=after, limit=limit
        ),
    )
    if json_output:
        print_json(
            {
                "reads": [
                    {
                        "read_at": record.read_at.isoformat(),
                        "key": record.key_name,
                        "username": record.username,
                        "external_id": record.external_id,
                        "operation": record.operation,
                        "message_id": record.message_id,
                        "query": record.query,
                    }
                    for record in records
                ],
                "more": more,
            }
        )
        return
    print_table(
        ("read at", "key", "user", "external id", "what"),
        (
            (
                f"{record.read_at:%Y-%m-%d %H:%M:%S}Z",
                record.key_name,
                record.username,
                record.external_id,
                f"message {record.message_id}"
                if record.message_id is not None
                else f"list {json.dumps(record.query, sort_keys=True)}",
            )
            for record in records
        ),
    )
    if more:
        typer.echo("(more: raise --limit, or narrow with --since)")
