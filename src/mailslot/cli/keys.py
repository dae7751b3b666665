"""`mailslot keys`: make, list and revoke server keys."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from mailslot.cli.database import in_transaction, on_database
from mailslot.cli.output import ExitCode, fail, print_json, print_table
from mailslot.keys.scopes import Scope
from mailslot.logs import audit

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from mailslot.keys.service import KeyRefused

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
    from mailslot.keys import service as keys

    try:
        scopes = keys.parse_scopes(scope)
        key_id, key = in_transaction(
            "keys create", lambda db: keys.create_key(db, name=name, scopes=scopes)
        )
    except keys.KeyRefused as exc:
        _refuse("keys create", exc)
    audit("key.created", key_id=key_id, name=name, scopes=" ".join(scopes))
    typer.echo(key)


@app.command("list")
def list_keys(
    json: Annotated[bool, typer.Option("--json", help="one JSON document")] = False,
) -> None:
    """Every key, newest last: name, scopes, when made, last used (to the minute) and
    revoked. Never the key itself."""
    from mailslot.keys import service as keys

    found = in_transaction("keys list", keys.list_keys)
    if json:
        print_json(
            [
                {
                    "name": key.name,
                    "scopes": [scope.value for scope in key.scopes],
                    "created_at": key.created_at.isoformat(),
                    "last_used_at": key.last_used_at and key.last_used_at.isoformat(),
                    "revoked_at": key.revoked_at and key.revoked_at.isoformat(),
                }
                for key in found
            ]
        )
        return
    print_table(
        ("name", "scopes", "created", "last used", "revoked"),
        (
            (
                key.name,
                " ".join(key.scopes),
                _when(key.created_at),
                _when(key.last_used_at),
                _when(key.revoked_at),
            )
            for key in found
        ),
    )


@app.command("revoke")
def revoke(name: Annotated[str, typer.Argument(help="the key's name")]) -> None:
    """Revoke a key: every instance refuses it once this returns (with Redis, instances
    that remember the key are told to forget it, and confirm)."""
    from mailslot.bus.oneshot import NotesUnavailable, command_notes
    from mailslot.config import get_settings
    from mailslot.db.engine import make_session_factory
    from mailslot.keys import service as keys

    async def work(engine: AsyncEngine) -> int:
        async with command_notes(get_settings(), engine) as notes:
            async with make_session_factory(engine)() as db:
                key_id = await keys.revoke_key(db, name=name)
                await db.commit()
            if notes is not None:
                await notes.announce({"forget_key": key_id})
        return key_id

    try:
        key_id = on_database("keys revoke", work)
    except keys.KeyRefused as exc:
        _refuse("keys revoke", exc)
    except NotesUnavailable as exc:
        fail("keys revoke", f"{exc}: nothing changed", ExitCode.UNAVAILABLE)
    audit("key.revoked", key_id=key_id, name=name)
    typer.echo(f"revoked {name}")


def _refuse(command: str, exc: KeyRefused) -> NoReturn:
    from mailslot.keys.service import KeyExists, KeyNotFound

    code = (
        ExitCode.NOT_FOUND
        if isinstance(exc, KeyNotFound)
        else ExitCode.CONFLICT
        if isinstance(exc, KeyExists)
        else ExitCode.USAGE
    )
    fail(command, str(exc), code)


def _when(moment: object) -> str | None:
    return None if moment is None else f"{moment:%Y-%m-%d %H:%M:%S}Z"
