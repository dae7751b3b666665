"""What every command shares: exit codes, --json output, tables, confirmation, progress.

Read commands print a Rich table, or with --json one JSON document on standard output.
Destructive commands ask on a terminal and need --yes anywhere else. Long commands show a
progress bar on a terminal and write JSON progress lines to standard error otherwise, so a
script or a container log can follow them. Errors go to standard error as
"mailslot <command>: <what happened>" with one of the exit codes below (docs/cli.md).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from enum import IntEnum
from typing import Any, NoReturn, Protocol

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table


class ExitCode(IntEnum):
    """The `mailslot` command's exit statuses, the same for every command."""

    OK = 0
    FAILED = 1  # the command ran and its work failed (a probe timed out, a check failed)
    USAGE = 2  # a bad option or argument (Typer's own)
    NOT_FOUND = 3  # the user, key, file or backup named does not exist
    CONFLICT = 4  # refused: the state does not allow it (a newer schema, a name taken)
    NOT_CONFIRMED = 5  # a destructive command without --yes, not confirmed
    UNAVAILABLE = 6  # the database (or another service) cannot be reached


def fail(command: str, message: str, code: ExitCode = ExitCode.FAILED) -> NoReturn:
    typer.echo(f"mailslot {command}: {message}", err=True)
    raise typer.Exit(int(code))


def print_json(document: Any) -> None:
    """One JSON document on standard output; datetimes and paths as their text."""
    typer.echo(json.dumps(document, default=str, indent=2, sort_keys=False))


def print_table(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    table = Table(*columns, box=None)
    for row in rows:
        table.add_row(*("-" if cell is None else str(cell) for cell in row))
    Console(width=200).print(table)


def confirm(command: str, question: str, *, yes: bool) -> None:
    """Go on if --yes was given or a person at a terminal says yes; else exit NOT_CONFIRMED."""
    if yes:
        return
    if not sys.stdin.isatty():
        fail(command, f"{question} Refused: add --yes to confirm.", ExitCode.NOT_CONFIRMED)
    if not typer.confirm(question, default=False):
        fail(command, "not confirmed", ExitCode.NOT_CONFIRMED)


class Advance(Protocol):
    def __call__(self, count: int = 1, /) -> None: ...


@contextmanager
def progress(label: str, total: int | None) -> Iterator[Advance]:
    """A progress bar on a terminal (standard error), else a JSON line on standard error
    per tenth of the total (and at the end): {"progress": label, "done": n, "total": t}."""
    if sys.stderr.isatty():
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
        with Progress(*columns, TimeRemainingColumn(), console=Console(stderr=True)) as bar:
            task = bar.add_task(label, total=total)
            yield lambda count=1: bar.advance(task, count)
        return
    done = 0
    step = max(1, (total or 0) // 10)
    reported = 0

    def report() -> None:
        line = {"progress": label, "done": done, "total": total}
        sys.stderr.write(json.dumps(line) + "\n")
        sys.stderr.flush()

    def advance(count: int = 1) -> None:
        nonlocal done, reported
        done += count
        if done - reported >= step:
            reported = done
            report()

    yield advance
    if reported != done or done == 0:
        report()
