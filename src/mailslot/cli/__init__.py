"""The `mailslot` command: serve, db upgrade, purge, keys, audit, import. Typer, one module a group."""

from __future__ import annotations

import typer

from mailslot.cli import audit, imports, keys, maintenance, serve
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
app.command("purge")(maintenance.purge)
app.add_typer(keys.app, name="keys")
app.command("audit")(audit.audit)
app.add_typer(imports.imports, name="import")


def main(argv: list[str] | None = None) -> None:
    app(args=argv, prog_name="mailslot")


__all__ = ["app", "main", "uvicorn_options"]
