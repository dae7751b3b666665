"""`mailslot keys`: make, list and revoke server keys."""

from __future__ import annotations

from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncEngine

from mailslot.bus import outside
from mailslot.cli.database import committed, in_transaction, with_engine
from mailslot.config import get_settings
from mailslot.keys import service as keys
from mailslot.keys.service import KeyRefused, Scope

app = typer.Typer(
    help="Server keys: what a host application's backend sends to the /server API.",
    no_args_is_help=True,
)
SCOPES = ", ".join(scope.value for scope in Scope)


@app.command("create")
def create(
    name: Annotated[str, typer.Option("--name", help="a name to tell the key by (unique)")],
    scope: Annotated[list[str], typer.Option("--scope", help=f"repeat for each scope: {SCOPES}")],
) -> None:
    """Make a key and print it. It is shown this once: only its hash is kept."""
    try:
        scopes = keys.parse_scopes(scope)
        key = in_transaction(lambda db: keys.create_key(db, name=name, scopes=scopes))
    except KeyRefused as exc:
        _refuse(exc)
    typer.echo(key)


@app.command("list")
def list_keys() -> None:
    """Every key, newest last: name, scopes, when made, last used (to the minute) and
    revoked. Never the key itself."""
    table = Table("name", "scopes", "created", "last used", "revoked", box=None)
    for key in in_transaction(keys.list_keys):
        table.add_row(
            key.name,
            " ".join(key.scopes),
            _when(key.created_at),
            _when(key.last_used_at),
            _when(key.revoked_at),
        )
    Console(width=200).print(table)


@app.command("revoke")
def revoke(name: Annotated[str, typer.Argument(help="the key's name")]) -> None:
    """Revoke a key: every instance refuses it once this returns."""

    async def revoke_and_tell(engine: AsyncEngine) -> None:
        key_id = await committed(engine, lambda db: keys.revoke_key(db, name=name))
        await outside.announce(get_settings(), engine, {"forget_key": key_id})

    try:
        with_engine(revoke_and_tell)
    except KeyRefused as exc:
        _refuse(exc)
    typer.echo(f"revoked {name}")


def _refuse(exc: KeyRefused) -> NoReturn:
    typer.echo(f"mailslot keys: {exc}", err=True)
    raise typer.Exit(1)


def _when(moment: object) -> str:
    return "-" if moment is None else f"{moment:%Y-%m-%d %H:%M:%S}Z"
