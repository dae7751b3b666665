"""`mailslot backup` and `mailslot restore`: a consistent copy of a live database in one
file (db/archive.py), and putting it back.

Backing up never stops the service. SQLite is copied by its online backup API in a single
step: one read transaction, a snapshot, while the server goes on writing to the WAL (a
copy in several steps starts over whenever another connection writes, so under steady
writes it might never end). PostgreSQL is dumped by `pg_dump` from a snapshot this module
exports, in which it also reads the schema revision, so the manifest describes exactly
the data dumped.

Restoring replaces the database, all of it, with the servers stopped. Everything is
checked before anything is touched: the archive against its manifest, the engine, and the
schema revision (one newer than this mailslot knows is refused). SQLite's file is written
beside the database and renamed over it; PostgreSQL's dump is applied in one transaction
that first drops what the backup does not hold. Then the migrations newer than the backup
run, so the database is at this mailslot's schema.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Protocol

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import text
from sqlalchemy.engine import make_url

from mailslot.config import SECRET_KEY_FILE, Settings
from mailslot.db import archive, pgtools
from mailslot.db.archive import UNREACHABLE, BackupError, Manifest
from mailslot.db.engine import make_engine
from mailslot.db.migrate import alembic_config, upgrade


class RestoreHook(Protocol):
    """What else a restore carries across (the erasure ledger, rights/erasure/ledger.py):
    `before` runs once the backup is checked, before the database is replaced, and may
    read it; `after` once the restored database is migrated."""

    async def before(self, settings: Settings) -> None: ...

    async def after(self, settings: Settings) -> None: ...


class Advance(Protocol):
    def __call__(self, count: int = 1, /) -> None: ...


# What shows the work's progress: `progress(label, total)` gives a function to advance it
# (cli/output.py `progress`: a bar on a terminal, JSON lines elsewhere).
Progress = Callable[[str, int | None], AbstractContextManager[Advance]]


@contextmanager
def quietly(_label: str, _total: int | None) -> Iterator[Advance]:
    yield lambda _count=1: None


def head_revision() -> str:
    return str(ScriptDirectory.from_config(alembic_config()).get_current_head())


def require_known_revision(revision: str) -> None:
    """Refuse a schema revision this mailslot's migrations do not hold: a newer one."""
    try:
        known = ScriptDirectory.from_config(alembic_config()).get_revision(revision)
    except CommandError:
        known = None
    if known is None:
        raise BackupError(
            f"The backup's schema revision {revision} is newer than this mailslot knows "
            f"(its newest is {head_revision()}): restore it with the mailslot version that "
            "made it, or upgrade mailslot first.",
            "conflict",
        )


def engine_of(url: str) -> str:
    return make_url(url).get_backend_name()


# Backing up


async def backup(settings: Settings, output: Path, progress: Progress = quietly) -> Manifest:
    """Write a backup of the configured database to `output` (refused if it exists)."""
    _check_output(output)
    url = settings.resolved_direct_url
    with tempfile.TemporaryDirectory(prefix=".mailslot-backup-", dir=output.parent) as work:
        if engine_of(url) == "sqlite":
            manifest, files = _backup_sqlite(settings, Path(work), progress)
        else:
            manifest, files = await _backup_postgres(settings, Path(work), progress)
        with progress("writing the archive", sum(p.stat().st_size for p in files)) as advance:
            archive.write(
                output, manifest, files, compress=manifest.engine == "sqlite", advance=advance
            )
    return manifest


def _check_output(output: Path) -> None:
    if output.exists():
        raise BackupError(f"{output} exists already: name a new file", "conflict")
    if not output.parent.is_dir():
        raise BackupError(f"{output.parent}: no such directory", "not_found")


def _manifest(
    engine: str, revision: str, deployment: str, files: list[Path], **tools: str
) -> Manifest:
    return Manifest(
        mailslot_version=version("mailslot"),
        engine=engine,  # type: ignore[arg-type]
        schema_revision=revision,
        deployment=deployment,
        created_at=datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        files=tuple(archive.checksum(path) for path in files),
        tools=tools,
    )


def sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError(f"{url} is not a SQLite database file")
    return Path(database)


def _backup_sqlite(
    settings: Settings, work: Path, progress: Progress
) -> tuple[Manifest, list[Path]]:
    source_path = sqlite_path(settings.resolved_direct_url)
    if not source_path.is_file():
        raise BackupError(f"{source_path}: no database there to back up", "not_found")
    copy_path = work / archive.SQLITE_FILE
    source = sqlite3.connect(f"{source_path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    copy = sqlite3.connect(copy_path)
    try:
        pages = source.execute("PRAGMA page_count").fetchone()[0]
        with progress("copying the database", pages) as advance:
            # One step (pages=-1): a snapshot in one read transaction. Writers go on
            # meanwhile in WAL mode; a copy in steps restarts whenever one commits.
            source.backup(copy, pages=-1)
            advance(pages)
        # A file that needs no -wal beside it.
        copy.execute("PRAGMA journal_mode=DELETE")
        problems = copy.execute("PRAGMA quick_check").fetchall()
        if problems != [("ok",)]:
            raise BackupError(f"the copy fails SQLite's check: {problems[:3]}")
        revision, deployment = _identity(copy)
    finally:
        copy.close()
        source.close()
    files = [copy_path]
    key = settings.data_dir / SECRET_KEY_FILE
    if settings.secret_key is None and key.is_file():
        shutil.copyfile(key, work / SECRET_KEY_FILE)
        files.append(work / SECRET_KEY_FILE)
    return _manifest("sqlite", revision, deployment, files), files


def _identity(connection: sqlite3.Connection) -> tuple[str, str]:
    try:
        revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        deployment = connection.execute("SELECT key FROM deployment").fetchone()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"not a mailslot database (run `mailslot db upgrade`): {exc}") from None
    if revision is None or deployment is None:
        raise BackupError("not a mailslot database: run `mailslot db upgrade` first")
    return str(revision[0]), str(deployment[0])


async def _backup_postgres(
    settings: Settings, work: Path, progress: Progress
) -> tuple[Manifest, list[Path]]:
    url = settings.resolved_direct_url
    dump = work / archive.POSTGRES_FILE
    engine = make_engine(settings, url)
    try:
        connection = await engine.connect()
    except UNREACHABLE as exc:
        await engine.dispose()
        raise BackupError(f"the database cannot be reached: {exc}", "unavailable") from None
    try:
        connection = await connection.execution_options(isolation_level="REPEATABLE READ")
        async with connection.begin():
            # pg_dump reads the very snapshot in which the revision is read.
            snapshot = (await connection.execute(text("SELECT pg_export_snapshot()"))).scalar()
            revision = (
                await connection.execute(text("SELECT version_num FROM alembic_version"))
            ).scalar_one()
            deployment = (await connection.execute(text("SELECT key FROM deployment"))).scalar()
            server = (await connection.execute(text("SHOW server_version"))).scalar_one()
            tables = (
                await connection.execute(
                    text("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()")
                )
            ).scalar_one()
            pg_dump = await pgtools.require_tool(
                "pg_dump", at_least=int(server.split(".")[0]), of=f"the server {server}"
            )
            with progress("dumping tables", tables) as advance:
                await pgtools.run(
                    [
                        "pg_dump",
                        "--format=custom",
                        f"--snapshot={snapshot}",
                        "--verbose",
                        f"--file={dump}",
                    ],
                    pgtools.libpq_environment(url, "mailslot-backup"),
                    on_line=lambda line: advance() if "dumping contents of table" in line else None,
                )
    finally:
        await connection.close()
        await engine.dispose()
    manifest = _manifest(
        "postgresql",
        str(revision),
        str(deployment),
        [dump],
        postgresql_server=str(server),
        pg_dump=pg_dump,
    )
    return manifest, [dump]


# Restoring


@dataclass(frozen=True, slots=True)
class Restored:
    manifest: Manifest
    migrated_to: str  # the schema revision after the newer migrations ran


async def restore(
    settings: Settings,
    path: Path,
    *,
    confirm: Callable[[Manifest], None],
    progress: Progress = quietly,
    hook: RestoreHook | None = None,
) -> Restored:
    """Replace the configured database with the backup at `path`. `confirm` is called
    once the backup has been checked, before anything is changed; it raises to stop.
    `hook` (the erasure ledger) reads what it keeps before the replacement and puts it
    back after the migrations."""
    manifest = archive.read_manifest(path)
    url = settings.resolved_direct_url
    if manifest.engine != engine_of(url):
        raise BackupError(
            f"The backup is of a {manifest.engine} database and the configured one "
            f"({make_url(url).render_as_string()}) is {engine_of(url)}: restore it into a "
            f"{manifest.engine} database, or move between engines with `mailslot db port`.",
            "conflict",
        )
    require_known_revision(manifest.schema_revision)
    total = sum(entry.bytes for entry in manifest.files)
    if manifest.engine == "sqlite":
        database = sqlite_path(url)
        database.parent.mkdir(parents=True, exist_ok=True)
        work_dir = database.parent
    else:
        work_dir = Path(tempfile.gettempdir())
    with tempfile.TemporaryDirectory(prefix=".mailslot-restore-", dir=work_dir) as work:
        with progress("checking the backup", total) as advance:
            files = archive.extract(path, manifest, Path(work), advance)
        if manifest.engine == "sqlite":
            _check_sqlite_copy(files[archive.SQLITE_FILE], manifest)
            _refuse_open_database(database)
            confirm(manifest)
            if hook is not None:
                await hook.before(settings)
            _restore_sqlite(settings, database, files)
        else:
            await _check_postgres_tools(manifest)
            await _refuse_connected_instances(settings)
            confirm(manifest)
            if hook is not None:
                await hook.before(settings)
            with progress("restoring", 1) as advance:
                await _restore_postgres(url, files[archive.POSTGRES_FILE], Path(work))
                advance()
    return Restored(manifest, await _after_restore(settings, manifest, hook))


async def _after_restore(settings: Settings, manifest: Manifest, hook: RestoreHook | None) -> str:
    """What follows the restored data onto this mailslot's schema. Returns the revision."""
    if manifest.schema_revision != head_revision():
        await upgrade(settings, settings.resolved_direct_url)
    # Issue 21: erasures carried out after this backup was made are re-applied here, from
    # the erasure ledger, before any instance serves the restored data again.
    if hook is not None:
        await hook.after(settings)
    return head_revision()


def _check_sqlite_copy(copy_path: Path, manifest: Manifest) -> None:
    copy = sqlite3.connect(copy_path)
    try:
        if copy.execute("PRAGMA quick_check").fetchall() != [("ok",)]:
            raise BackupError("The backup's database fails SQLite's check. Nothing was restored.")
        revision, _ = _identity(copy)
    finally:
        copy.close()
    if revision != manifest.schema_revision:
        raise BackupError(
            f"The backup's database is at revision {revision}, its manifest says "
            f"{manifest.schema_revision}: it was altered. Nothing was restored."
        )


def database_in_use(database: Path) -> bool:
    """Whether a process holds the SQLite database open. Each connection to a WAL database
    holds a shared lock on a byte of its -shm file (SQLite's "DMS" lock, offset 128),
    which no exclusive lock can then take."""
    shm = database.with_name(database.name + "-shm")
    try:
        descriptor = os.open(shm, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.lockf(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, 128)
    except OSError:
        return True
    else:
        fcntl.lockf(descriptor, fcntl.LOCK_UN, 1, 128)
        return False
    finally:
        os.close(descriptor)


def _refuse_open_database(database: Path) -> None:
    if database_in_use(database):
        raise BackupError(
            f"{database} is open in another process: stop every mailslot server using it "
            "first. Nothing was restored.",
            "conflict",
        )


def _restore_sqlite(settings: Settings, database: Path, files: dict[str, Path]) -> None:
    _refuse_open_database(database)  # again: a server may have started meanwhile
    restored = files[archive.SQLITE_FILE]
    if database.exists():
        restored.chmod(database.stat().st_mode & 0o777)
        # Fold the old WAL into the old file, so no -wal beside it can be applied to the
        # restored one, and keep the old file until the operator deletes it.
        old = sqlite3.connect(database)
        try:
            old.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            old.close()
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        os.replace(database, database.with_name(f"{database.name}.before-restore-{stamp}"))
    for suffix in ("-wal", "-shm", "-journal"):
        database.with_name(database.name + suffix).unlink(missing_ok=True)
    os.replace(restored, database)
    key = files.get(SECRET_KEY_FILE)
    if key is not None and settings.secret_key is None:
        key.chmod(0o600)
        os.replace(key, settings.data_dir / SECRET_KEY_FILE)
    archive.fsync_directory(database.parent)


async def _check_postgres_tools(manifest: Manifest) -> None:
    made_by = manifest.tools.get("pg_dump", "")
    major = pgtools.major_of(made_by) if made_by else 0
    for tool in ("pg_restore", "psql"):
        await pgtools.require_tool(tool, at_least=major, of=f"the backup's {made_by}")


async def _refuse_connected_instances(settings: Settings) -> None:
    engine = make_engine(settings, settings.resolved_direct_url)
    try:
        async with engine.connect() as connection:
            count = (
                await connection.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                        " AND pid <> pg_backend_pid() AND application_name = 'mailslot'"
                    )
                )
            ).scalar_one()
    except UNREACHABLE as exc:
        raise BackupError(f"the database cannot be reached: {exc}", "unavailable") from None
    finally:
        await engine.dispose()
    if count:
        raise BackupError(
            f"{count} connections of mailslot instances are open on the database: stop every "
            "instance first. Nothing was restored.",
            "conflict",
        )


# Dropped first, in the restore's own transaction: whatever a newer schema added that the
# backup does not hold (a `--clean` restore drops only the objects the dump names).
_DROP_EVERYTHING = """
DO $$
DECLARE item record;
BEGIN
  FOR item IN SELECT c.relname, c.relkind FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
  LOOP
    EXECUTE format('DROP %s IF EXISTS %I CASCADE',
      CASE item.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
        WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END,
      item.relname);
  END LOOP;
END $$;
"""


async def _restore_postgres(url: str, dump: Path, work: Path) -> None:
    prelude = work / "prelude.sql"
    prelude.write_text(_DROP_EVERYTHING)
    await pgtools.restore_script(dump, pgtools.libpq_environment(url, "mailslot-restore"), prelude)
