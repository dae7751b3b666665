"""`mailslot backup`, `mailslot restore` and `mailslot db port` (docs/backups.md)."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from mailslot.cli.output import ExitCode, confirm, fail, print_json, progress
from mailslot.config import get_settings
from mailslot.db.archive import BackupError, Manifest
from mailslot.logs import audit

EXIT_CODES = {
    "failed": ExitCode.FAILED,
    "not_found": ExitCode.NOT_FOUND,
    "conflict": ExitCode.CONFLICT,
    "unavailable": ExitCode.UNAVAILABLE,
}
JsonOption = Annotated[bool, typer.Option("--json", help="print the result as JSON")]


def backup(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="the backup file to write (a new name)")
    ],
    json: JsonOption = False,
) -> None:
    """Back up the database while it serves: SQLite through its online backup API,
    PostgreSQL through pg_dump. One file, with a manifest of what it holds."""
    from mailslot.db.backup import backup as run_backup

    try:
        manifest = asyncio.run(run_backup(get_settings(), output, progress))
    except BackupError as exc:
        _refuse("backup", exc)
    audit("backup.create", engine=manifest.engine, schema_revision=manifest.schema_revision)
    if json:
        print_json({"file": str(output), **manifest.document()})
        return
    size = output.stat().st_size
    typer.echo(
        f"backup written to {output}: {manifest.engine}, schema revision "
        f"{manifest.schema_revision}, {size} bytes"
    )


def restore(
    file: Annotated[Path, typer.Argument(help="a file written by `mailslot backup`")],
    yes: Annotated[bool, typer.Option("--yes", help="restore without asking")] = False,
    ledger: Annotated[
        Path | None,
        typer.Option(
            "--ledger",
            help="a copy of the erasure ledger (`mailslot user erasures --json`) to apply "
            "besides the live database's, when that one is lost",
        ),
    ] = None,
    json: JsonOption = False,
) -> None:
    """Replace the database with a backup, then apply the migrations newer than it, then
    erase again every account the erasure ledger holds (docs/erasure.md). Stop every
    server first. Refuses a damaged backup, another engine's, and a newer schema."""
    from mailslot.db.backup import restore as run_restore
    from mailslot.rights.erasure.ledger import LedgerKeeper, read_file

    try:
        keeper = LedgerKeeper(read_file(ledger) if ledger is not None else None)
    except ValueError as exc:
        fail("restore", str(exc), ExitCode.USAGE)

    def ask(manifest: Manifest) -> None:
        confirm(
            "restore",
            f"Replace the database with the backup of {manifest.created_at} (schema "
            f"{manifest.schema_revision})? Everything written since is lost.",
            yes=yes,
        )

    try:
        restored = asyncio.run(
            run_restore(get_settings(), file, confirm=ask, progress=progress, hook=keeper)
        )
    except BackupError as exc:
        _refuse("restore", exc)
    manifest = restored.manifest
    reapplied = keeper.reapplied
    erasures = {
        "ledger_entries": reapplied.entries if reapplied else 0,
        "ledger_added": reapplied.added if reapplied else 0,
        "erased_again": reapplied.erased if reapplied else 0,
    }
    audit(
        "backup.restore",
        engine=manifest.engine,
        schema_revision=manifest.schema_revision,
        migrated_to=restored.migrated_to,
        created_at=manifest.created_at,
        **erasures,
    )
    if json:
        print_json(
            {
                "file": str(file),
                "migrated_to": restored.migrated_to,
                "erasures": erasures,
                **manifest.document(),
            }
        )
        return
    migrated = (
        ""
        if restored.migrated_to == manifest.schema_revision
        else f", then migrated to {restored.migrated_to}"
    )
    typer.echo(
        f"restored the backup of {manifest.created_at} (schema {manifest.schema_revision})"
        f"{migrated}; erasure ledger: {erasures['ledger_entries']} entries, "
        f"{erasures['erased_again']} accounts erased again"
    )


def port(
    to: Annotated[
        str, typer.Option("--to", help="the database to copy into: postgresql+asyncpg://...")
    ],
    source: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="the database to copy: sqlite:///path/mailslot.db (default: the configured one)",
        ),
    ] = None,
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, help="rows per transaction")
    ] = 1000,
    interrupt_after: Annotated[
        int | None,
        typer.Option(
            "--interrupt-after",
            hidden=True,
            help="tests only: kill this process (SIGKILL) once this many rows are "
            "written, before their transaction commits",
        ),
    ] = None,
    json: JsonOption = False,
) -> None:
    """Copy every table from one database to another (SQLite to PostgreSQL), in batches,
    resumable: run it again after an interruption. Verified by row counts and checksums.
    Stop every server first."""
    import mailslot.app  # noqa: F401  (loads every model, so the metadata has every table)
    from mailslot.db.base import metadata
    from mailslot.db.port import port as run_port

    settings = get_settings()

    def interrupt(_table: str, copied: int) -> None:
        if interrupt_after is not None and copied >= interrupt_after:
            os.kill(os.getpid(), signal.SIGKILL)

    try:
        ported = asyncio.run(
            run_port(
                settings,
                source_url=source or settings.resolved_direct_url,
                target_url=to,
                tables=metadata.sorted_tables,
                batch_size=batch_size,
                progress=progress,
                on_batch=interrupt if interrupt_after is not None else None,
            )
        )
    except BackupError as exc:
        _refuse("db port", exc)
    audit("db.port", copied=ported.copied, resumed=ported.resumed)
    if json:
        print_json(
            {
                "copied": ported.copied,
                "resumed": ported.resumed,
                "tables": [
                    {"table": c.table, "rows": c.rows, "sha256": c.sha256} for c in ported.tables
                ],
            }
        )
        return
    rows = sum(check.rows for check in ported.tables)
    typer.echo(
        f"{'resumed: ' if ported.resumed else ''}copied {ported.copied} rows; verified "
        f"{len(ported.tables)} tables, {rows} rows, the same on both sides"
    )


def _refuse(command: str, exc: BackupError) -> NoReturn:
    fail(command, str(exc), EXIT_CODES[exc.kind])
