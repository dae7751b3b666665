"""PostgreSQL's own tools for backups: pg_dump, pg_restore and psql, run as subprocesses.

They are told where to connect through libpq's environment (PGHOST, PGPASSWORD, ...)
made from the SQLAlchemy URL, so a password never appears on a command line (where `ps`
shows it to every user of the machine).
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy.engine import make_url

from mailslot.db.archive import BackupError

_VERSION = re.compile(r"\(PostgreSQL\) (\d+)(?:\.(\d+))?")
# asyncpg's `ssl` query parameter and libpq's sslmode take the same words.
_SSL_MODES = {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}


def libpq_environment(url: str, application: str) -> dict[str, str]:
    """The PG* variables that make libpq connect where the SQLAlchemy `url` points."""
    parsed = make_url(url)
    query = {key: str(value) for key, value in parsed.query.items()}
    values = {
        "PGHOST": query.get("host") or parsed.host,
        "PGPORT": str(parsed.port) if parsed.port else query.get("port"),
        "PGUSER": parsed.username,
        "PGPASSWORD": parsed.password,
        "PGDATABASE": parsed.database,
        "PGSSLMODE": query.get("sslmode") or query.get("ssl"),
        "PGAPPNAME": application,
    }
    if values["PGSSLMODE"] == "true":
        values["PGSSLMODE"] = "require"
    if values["PGSSLMODE"] is not None and values["PGSSLMODE"] not in _SSL_MODES:
        values.pop("PGSSLMODE")
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    return inherited | {key: str(value) for key, value in values.items() if value is not None}


async def tool_major(tool: str) -> tuple[int, str]:
    """The major version of a PostgreSQL client program on the PATH, and its full text."""
    path = shutil.which(tool)
    if path is None:
        raise BackupError(
            f"{tool} is not installed: install PostgreSQL's client programs "
            "(Debian: apt-get install postgresql-client)"
        )
    process = await asyncio.create_subprocess_exec(
        path, "--version", stdout=asyncio.subprocess.PIPE
    )
    output, _ = await process.communicate()
    text = output.decode().strip()
    return major_of(text), text


def major_of(version_text: str) -> int:
    """12 from "pg_dump (PostgreSQL) 12.4 (Debian ...)"."""
    match = _VERSION.search(version_text)
    if match is None:
        raise BackupError(f"cannot tell a PostgreSQL version from {version_text!r}")
    return int(match.group(1))


async def require_tool(tool: str, *, at_least: int, of: str) -> str:
    """The tool's version, if its major version is `at_least`; else a clear refusal."""
    major, text = await tool_major(tool)
    if major < at_least:
        raise BackupError(
            f"{text} is older than {of} ({at_least}): it cannot handle it. Install the "
            f"PostgreSQL {at_least} client programs or newer (Debian: apt-get install "
            f"postgresql-client-{at_least}) and put them first on the PATH."
        )
    return text


async def run(
    command: Sequence[str],
    environment: dict[str, str],
    *,
    on_line: Callable[[str], None] = lambda _line: None,
    stdin: int | None = None,
) -> None:
    """Run a tool to its end; each line it writes to standard error goes to `on_line`.
    Raises BackupError with its last lines if it fails."""
    process = await asyncio.create_subprocess_exec(
        *command,
        env=environment,
        stdin=stdin,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    tail: list[str] = []
    async for raw in _stream(process.stderr):
        line = raw.decode(errors="replace").rstrip()
        on_line(line)
        tail = [*tail[-9:], line]
    if await process.wait() != 0:
        said = "\n".join(line for line in tail if line) or "(nothing on standard error)"
        raise BackupError(f"{Path(command[0]).name} failed (exit {process.returncode}):\n{said}")


async def restore_script(dump: Path, environment: dict[str, str], prelude: Path) -> None:
    """`pg_restore --clean --if-exists` of `dump`, run by psql after `prelude` in one
    transaction: it all applies, or none of it."""
    reader, writer = os.pipe()
    try:
        restore = await asyncio.create_subprocess_exec(
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--file=-",
            str(dump),
            env=environment,
            stdout=writer,
            stderr=asyncio.subprocess.PIPE,
        )
    finally:
        os.close(writer)
    failure: BackupError | None = None
    try:
        await run(
            [
                "psql",
                "--no-psqlrc",
                "--quiet",
                "--single-transaction",
                "--set=ON_ERROR_STOP=1",
                f"--file={prelude}",
                "--file=-",
            ],
            environment,
            stdin=reader,
        )
    except BackupError as exc:
        failure = exc  # pg_restore then fails too, on a closed pipe: psql says why
    finally:
        os.close(reader)
    errors = (await _stream(restore.stderr).read()).decode(errors="replace").strip()
    if await restore.wait() != 0 and failure is None:
        failure = BackupError(f"pg_restore failed: {errors}")
    if failure is not None:
        raise failure


def _stream(stream: asyncio.StreamReader | None) -> asyncio.StreamReader:
    if stream is None:  # asked for with PIPE: never
        raise RuntimeError("no pipe")
    return stream
