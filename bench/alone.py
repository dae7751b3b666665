"""The database alone: mailslot's own send and list statements, driven by pgbench.

What would a scenario reach if mailslot's Python cost nothing? pgbench (C, one thread per
core) runs the very statement the service runs, compiled as the service compiles it, with
the same connection count, on the same two cores, against the same seeded database. Its
requests per second bound the scenario's from above: the share of bare that no Python
service running that statement can pass here.

Each pgbench client is one sender and one receiver (wrk's connections cycle through the
32 pairs): no two clients wait on the same user's change-log counter, so the bound is, if
anything, generous.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy.engine import make_url

from mailslot.db.direct import DirectQuery
from mailslot.messages.pages import PageShape, unfiltered_page
from mailslot.messages.store import postgres

# As the service compiles its statements: $n parameters, with casts.
_ASYNCPG = make_url("postgresql+asyncpg://").get_dialect()()

# Prepared statements, as the service's driver runs them; `ready`: see `script`.
ARGUMENTS = ["--no-vacuum", "--protocol=prepared", "--define=ready=0"]


def pgbench() -> str | None:
    """pgbench from PATH, or from the server's own bin directory (Debian keeps it there)."""
    found = shutil.which("pgbench")
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/pgbench"))
    return str(candidates[-1]) if candidates else None


def command(program: str, url: str, *options: str) -> list[str]:
    """pgbench's command line, with `options`, against the database at `url` (SQLAlchemy's
    form)."""
    database = make_url(url)
    return [
        program,
        *ARGUMENTS,
        *options,
        f"--host={database.host}",
        f"--port={database.port or 5432}",
        f"--username={database.username}",
        str(database.database),
    ]


def script(query: DirectQuery, values: Mapping[str, str], setup: str) -> str:
    """A pgbench script running `query` once per transaction. `values` puts SQL text in
    place of each bound parameter: a pgbench variable (`:name`), which pgbench sends as a
    parameter of its prepared statement, or a literal. `setup` is a query each client runs
    once, its columns stored as its variables (`\\gset`); pgbench starts each client
    with `ready` 0 (`-D ready=0`, in `ARGUMENTS`)."""
    compiled = query.statement.compile(dialect=_ASYNCPG)
    names = compiled.positiontup or []
    sql = re.sub(r"\$(\d+)", lambda match: values[names[int(match[1]) - 1]], compiled.string)
    return f"\\if :ready = 0\nSELECT 1 AS ready, {setup} \\gset\n\\endif\n{sql};\n"


def send_script(
    sender_prefix: str, receiver_prefix: str, pairs: int, *, hooked: bool = False
) -> str:
    """One message from `{sender_prefix}{n}` to `{receiver_prefix}{n}`, n the client's
    number modulo `pairs`: the statement behind POST /users/{name}/messages. `hooked`: its
    form for a database with an enabled webhook endpoint, where the plain form's guard
    writes nothing (messages/store/postgres.py); the bench's database has none."""
    return script(
        postgres.SEND_HOOKED if hooked else postgres.SEND,
        {
            "receiver_keys": ":receiver_keys",
            "sender_id": ":sender_id",
            "subject": "'bench'",
            "body": "'a message body of moderate length'",
            "created_at": "now()",
            "thread_id": "NULL",
            "client_timestamp": "NULL",
            "reply_to_id": "NULL",
            "context_ref": "NULL",
            "context_data": "NULL",
            "context_signed": "NULL",
            "log_sender": "true",
        },
        "sender.id AS sender_id, '{' || receiver.username_key || '}' AS receiver_keys "
        "FROM user_account AS sender, user_account AS receiver "
        f"WHERE sender.username = '{sender_prefix}' || (:client_id % {int(pairs)}) "
        f"AND receiver.username = '{receiver_prefix}' || (:client_id % {int(pairs)})",
    )


def list_script(viewer_id: int) -> str:
    """The first inbox page of 20, with its threads' unread counts: the statement behind
    GET /users/{name}/messages."""
    page = unfiltered_page(
        PageShape("inbox", None, keyset=False, numbered=False, limit=21, thread_unread=True)
    )
    return script(page, {"viewer_id": ":viewer_id"}, f"{int(viewer_id)} AS viewer_id")
