"""The `mailslot` command: serve, db, purge, backup, restore, user, healthcheck, probe,
keys, audit, import, retention. Typer, one module a group."""

from __future__ import annotations

from contextlib import suppress

import typer

from mailslot.cli import (
    audit,
    backup,
    health,
    imports,
    keys,
    maintenance,
    retention,
    serve,
    users,
)
from mailslot.cli.serve import uvicorn_options
from mailslot.config import get_settings
from mailslot.logs import configure_logging

app = typer.Typer(
    name="mailslot",
    help="mailslot: a self-hosted messaging service.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
app.command("serve")(serve.serve)
app.add_typer(maintenance.db, name="db")
maintenance.db.command("port")(backup.port)
app.command("purge")(maintenance.purge)
app.command("backup")(backup.backup)
app.command("restore")(backup.restore)
app.add_typer(users.app, name="user")
app.command("healthcheck")(health.healthcheck)
app.add_typer(health.probe, name="probe")
app.add_typer(keys.app, name="keys")
app.command("audit")(audit.audit)
app.add_typer(imports.imports, name="import")
app.add_typer(retention.app, name="retention")


def main(argv: list[str] | None = None) -> None:
    """The `mailslot` command. It logs to standard error as the server does, in its format
    and at its level: the audit records of what a command changes, too."""
    # Settings that cannot be read (pydantic's ValidationError, an unreadable secret
    # file) are reported by the command that needs them.
    with suppress(ValueError, OSError):
        configure_logging(get_settings())
    app(args=argv, prog_name="mailslot")


__all__ = ["app", "main", "uvicorn_options"]
