"""`mailslot retention`: status, run (or --dry-run), and legal holds (hold, unhold).

Thin over messages/retention.py. A run from here takes the same lease as the serving
processes' runs (MAILSLOT_RETENTION_INTERVAL), so it never runs beside one: it exits 4
(conflict) when an instance holds it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from mailslot import logs
from mailslot.cli.database import in_transaction, on_database
from mailslot.cli.output import ExitCode, fail, print_json, print_table, progress
from mailslot.config import get_settings

# The domains are imported by the commands that use them (cli/database.py says why).
if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

    from mailslot.messages.retention import Hold, Outcome, Status

app = typer.Typer(
    help="Retention (MAILSLOT_RETENTION_DAYS): status, run, legal holds.", no_args_is_help=True
)

Json = Annotated[bool, typer.Option("--json", help="one JSON document on standard output")]
UserArgument = Annotated[str, typer.Argument(metavar="USER", help="the username")]


def _when(moment: Any) -> str | None:
    return None if moment is None else f"{moment:%Y-%m-%d %H:%M:%S}Z"


def _iso(moment: Any) -> str | None:
    return None if moment is None else moment.isoformat()


def _hold(hold: Hold) -> dict[str, Any]:
    return {"username": hold.username, "held_at": _iso(hold.held_at), "note": hold.note}


def _status(status: Status) -> dict[str, Any]:
    run = status.last_run
    return {
        "retention_days": status.days,
        "cutoff": _iso(status.cutoff),
        "due": status.due,
        "oldest_kept": _iso(status.oldest_kept),
        "last_run": {
            "started_at": _iso(run.started_at),
            "finished_at": _iso(run.finished_at),
            "deleted": run.deleted,
            "cutoff": _iso(run.cutoff),
            "error": run.error,
            "running": run.running,
        },
        "held_users": [_hold(hold) for hold in status.holds],
    }


@app.command("status")
def status(json: Json = False) -> None:
    """The retention period, how many messages are due for deletion now, the oldest
    message kept, the last run, and the users on legal hold."""
    from mailslot.db.engine import make_session_factory
    from mailslot.messages import retention

    days = get_settings().retention_days

    async def work(engine: AsyncEngine) -> Status:
        async with make_session_factory(engine)() as db:
            found = await retention.status(db, days=days)
            await db.commit()  # the job's row, if the schema came without it
            return found

    shown = _status(on_database("retention status", work))
    if json:
        print_json(shown)
        return
    run = shown["last_run"]
    print_table(
        ("field", "value"),
        [
            ("retention days", shown["retention_days"] or "0 (keep forever)"),
            ("cutoff", shown["cutoff"]),
            ("due", shown["due"]),
            ("oldest kept", shown["oldest_kept"]),
            ("last run started", run["started_at"]),
            ("last run finished", run["finished_at"]),
            ("last run deleted", run["deleted"]),
            ("last run error", run["error"]),
            ("running now", "yes" if run["running"] else "no"),
            ("held users", len(shown["held_users"])),
        ],
    )
    if shown["held_users"]:
        print_table(
            ("held user", "since", "note"),
            ((h["username"], h["held_at"], h["note"]) for h in shown["held_users"]),
        )


@app.command("run")
def run(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="count what would be deleted; change nothing")
    ] = False,
    batch_size: Annotated[
        int | None,
        typer.Option(
            "--batch-size", min=1, max=10_000, help="messages per transaction (default: setting)"
        ),
    ] = None,
    pause: Annotated[
        float | None,
        typer.Option(
            "--pause",
            min=0,
            max=100,
            help="after each batch, wait this many times as long as it took (default: "
            "setting; 0: as fast as it can)",
        ),
    ] = None,
    json: Json = False,
) -> None:
    """Delete the messages older than MAILSLOT_RETENTION_DAYS that no legal hold keeps,
    in batches, telling their senders' and receivers' clients (message.deleted). Exits 4
    when retention is off or another instance is running it."""
    from mailslot.db.engine import make_session_factory
    from mailslot.messages import expiry, retention

    settings = get_settings()
    if not settings.retention_days:
        fail("retention run", "retention is off (MAILSLOT_RETENTION_DAYS=0)", ExitCode.CONFLICT)
    size = batch_size or settings.retention_batch_size

    async def work(engine: AsyncEngine) -> Outcome:
        sessions = make_session_factory(engine)
        if dry_run:
            return await retention.run_retention(
                sessions, days=settings.retention_days, batch_size=size, dry_run=True
            )
        async with sessions() as db:
            total = await retention.count_due(db, cutoff=expiry.cutoff_of(settings.retention_days))
        with progress("retention", total) as advance:
            done = 0

            def on_batch(outcome: Outcome) -> None:
                nonlocal done
                advance(outcome.deleted - done)
                done = outcome.deleted

            return await retention.run_retention(
                sessions,
                days=settings.retention_days,
                batch_size=size,
                on_batch=on_batch,
                pause=settings.retention_pause if pause is None else pause,
            )

    outcome = on_database("retention run", work)
    if not outcome.ran:
        fail("retention run", "another instance is running retention now", ExitCode.CONFLICT)
    if not dry_run:
        logs.configure_logging(settings)
        logs.audit("retention.run", deleted=outcome.deleted, batches=outcome.batches)
    document = {
        "dry_run": outcome.dry_run,
        "cutoff": _iso(outcome.cutoff),
        "deleted": outcome.deleted,
        "batches": outcome.batches,
        "errors": outcome.errors,
    }
    if json:
        print_json(document)
    elif dry_run:
        typer.echo(
            f"would delete {outcome.deleted} messages created before {_when(outcome.cutoff)}"
        )
    else:
        typer.echo(
            f"deleted {outcome.deleted} messages created before {_when(outcome.cutoff)} "
            f"in {outcome.batches} batches"
        )
    if outcome.errors:
        fail("retention run", "; ".join(outcome.errors), ExitCode.FAILED)


@app.command("hold")
def hold(
    user: UserArgument,
    note: Annotated[
        str | None, typer.Option("--note", help="why (a case number), up to 200 chars")
    ] = None,
    json: Json = False,
) -> None:
    """Put a user on legal hold: every message they sent or received is kept, and shown,
    whatever its age, until `retention unhold`. Holding again keeps the first date."""
    from mailslot.accounts import admin
    from mailslot.messages import retention

    if note is not None and len(note) > 200:
        fail("retention hold", "the note is longer than 200 characters", ExitCode.USAGE)

    async def work(db: AsyncSession) -> tuple[int, Hold, bool]:
        found = await admin.get_user(db, username=user)
        held, new = await retention.hold_user(db, user=found, note=note)
        return found.id, held, new

    user_id, held, new = in_transaction("retention hold", work)
    if new:
        logs.configure_logging(get_settings())
        logs.audit("retention.hold", user_id=user_id)
    if json:
        print_json({**_hold(held), "new": new})
    else:
        typer.echo(f"{held.username} is on legal hold since {_when(held.held_at)}")


@app.command("unhold")
def unhold(user: UserArgument, json: Json = False) -> None:
    """Lift a user's legal hold: their mail older than MAILSLOT_RETENTION_DAYS is hidden
    at once, and deleted by the next run, unless another party to it is held."""
    from mailslot.accounts import admin
    from mailslot.messages import retention

    async def work(db: AsyncSession) -> tuple[int, str, bool]:
        found = await admin.get_user(db, username=user)
        return found.id, found.username, await retention.unhold_user(db, user=found)

    user_id, username, lifted = in_transaction("retention unhold", work)
    if lifted:
        logs.configure_logging(get_settings())
        logs.audit("retention.unhold", user_id=user_id)
    if json:
        print_json({"username": username, "lifted": lifted})
    else:
        typer.echo(f"{username}: hold lifted" if lifted else f"{username} was not on hold")
