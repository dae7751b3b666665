"""`mailslot import seed-b`: bring the data of a service mailslot replaces."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Annotated

import typer

from mailslot.cli.output import ExitCode, fail, print_json, print_table, progress
from mailslot.config import Settings, get_settings

if TYPE_CHECKING:
    from mailslot.messages.seed_b_import import Summary

imports = typer.Typer(help="Import the data of a service mailslot replaces.", no_args_is_help=True)

KINDS = ("user", "message", "receiver")


@imports.command("seed-b")
def seed_b(
    source: Annotated[
        str,
        typer.Option(
            "--from",
            help="Seed B's MySQL or MariaDB database: mysql://user:password@host:port/database.",
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON document.")] = False,
    batch_size: Annotated[int, typer.Option(min=1, help="Rows per transaction.")] = 500,
) -> None:
    """Copy seed B's users (their bcrypt hashes kept until each one's first sign-in),
    messages, receivers and read state into MAILSLOT_DATABASE_URL. Safe to interrupt and
    to run again: it copies only what is not copied yet. Rows mailslot cannot take are
    listed by seed B's id. Exits 1 unless every source row is imported or listed."""
    from mailslot.messages.seed_b_import import SourceUnavailable

    try:
        summary = asyncio.run(_import(get_settings(), source, batch_size))
    except ValueError as error:
        fail("import seed-b", str(error), ExitCode.USAGE)
    except SourceUnavailable as error:
        fail("import seed-b", f"seed B's database: {error}", ExitCode.UNAVAILABLE)
    rows = [
        (
            kind,
            summary.source[kind],
            summary.imported.get(kind, 0),
            summary.copied.get(kind, "-") if kind != "receiver" else "-",
            summary.refused_count(kind),
        )
        for kind in KINDS
    ]
    if as_json:
        print_json(
            {
                "source": summary.source,
                "imported": summary.imported,
                "copied_now": summary.copied,
                "refused": [vars_of(row) for row in summary.refused],
                "notes": [vars_of(row) for row in summary.notes],
                "kept_message_ids": summary.kept_message_ids,
                "checked": summary.checked,
            }
        )
    else:
        print_table(("rows", "in seed B", "imported", "this run", "refused"), rows)
        if summary.refused:
            typer.echo("\nrefused (seed B ids):")
            print_table(("kind", "id", "why"), [(r.kind, r.id, r.reason) for r in summary.refused])
        if summary.notes:
            typer.echo("\nnotes:")
            print_table(("kind", "id", "what"), [(r.kind, r.id, r.reason) for r in summary.notes])
        kept = "kept" if summary.kept_message_ids else "new (the database held messages)"
        typer.echo(f"\nmessage ids: {kept}")
    if not summary.checked:
        fail("import seed-b", "the counts do not add up to the source's", ExitCode.FAILED)


def vars_of(row: object) -> dict[str, object]:
    return {name: getattr(row, name) for name in ("kind", "id", "reason")}


async def _import(settings: Settings, url: str, batch_size: int) -> Summary:
    from mailslot.db.engine import make_engine, make_session_factory
    from mailslot.messages.seed_b_import import import_seed_b, opened

    engine = make_engine(settings)
    try:
        with opened(url) as source:
            counts = await source.counts()
            total = counts["user"] + counts["message"]
            with progress("import seed-b", total) as advance:
                return await import_seed_b(
                    make_session_factory(engine), source, advance=advance, batch=batch_size
                )
    finally:
        await engine.dispose()
