"""The `mailslot` command: serve, db, purge, backup, restore, user, healthcheck, probe,
keys, audit. Typer, one module a group."""

from __future__ import annotations

import typer

from mailslot.cli import audit, backup, health, keys, maintenance, serve, users
from mailslot.cli.serve import uvicorn_options

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


def main(argv: list[str] | None = None) -> None:
    app(args=argv, prog_name="mailslot")


__all__ = ["app", "main", "uvicorn_options"]
