"""`mailslot user`: list, show, create, disable, enable, reset a password, end sessions,
export a mailbox, erase (and the erasure ledger), suspend and shadow-ban
(safety/sanctions.py).

Thin over accounts/admin.py. A command that revokes tokens commits, then announces
through Redis that every instance forget the user's tokens (bus/oneshot.py), so their
streams end at once; without Redis it says what bounds the change instead.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, Any

import typer

from mailslot import logs
from mailslot.cli.database import on_database, refuse
from mailslot.cli.output import ExitCode, confirm, fail, print_json, print_table, progress
from mailslot.config import Settings, get_settings
from mailslot.errors import Unprocessable

# The domains are imported by the commands that use them (cli/database.py says why).
if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

    from mailslot.accounts.admin import UserRecord
    from mailslot.accounts.security import Passwords
    from mailslot.safety.sanctions import Kind

MAX_LIST = 1000
app = typer.Typer(help="Users: list, look up, create, disable, reset.", no_args_is_help=True)
sessions = typer.Typer(help="A user's sessions (bearer tokens and the older API's).")
app.add_typer(sessions, name="sessions", no_args_is_help=True)

UserArgument = Annotated[
    str | None, typer.Argument(metavar="USER", help="the username (or give --external-id)")
]
ExternalId = Annotated[
    str | None, typer.Option("--external-id", help="the user the host knows by this id")
]
Json = Annotated[bool, typer.Option("--json", help="one JSON document on standard output")]
Yes = Annotated[bool, typer.Option("--yes", "-y", help="do not ask for confirmation")]
PasswordStdin = Annotated[
    bool,
    typer.Option("--password-stdin", help="read the password from standard input (one line)"),
]


def _named(command: str, username: str | None, external_id: str | None) -> dict[str, str | None]:
    if (username is None) == (external_id is None):
        fail(command, "name the user: a USERNAME or --external-id", ExitCode.USAGE)
    return {"username": username, "external_id": external_id}


def _record(user: UserRecord) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "email": user.email,
        "external_id": user.external_id,
        "created_at": user.created_at.isoformat(),
        "deactivated_at": user.deactivated_at and user.deactivated_at.isoformat(),
    }


def _when(moment: Any) -> str | None:
    return None if moment is None else f"{moment:%Y-%m-%d %H:%M:%S}Z"


def _passwords(settings: Settings) -> Passwords:
    from mailslot.accounts.security import Passwords

    return Passwords(
        memory_kib=settings.password_hash_memory_kib,
        iterations=settings.password_hash_iterations,
    )


def _read_password(command: str) -> str:
    line = sys.stdin.readline()
    if not line:
        fail(command, "no password on standard input", ExitCode.USAGE)
    return line.removesuffix("\n").removesuffix("\r")


def _audit(action: str, **fields: object) -> None:
    """The act on the `mailslot.audit` stream, on standard error (logs.py's format)."""
    logs.configure_logging(get_settings())
    logs.audit(action, **fields)


@app.command("list")
def list_users(
    search: Annotated[
        str | None,
        typer.Option("--search", help="in the username, display name, email or external id"),
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", min=1, max=MAX_LIST, help="at most this many")
    ] = 100,
    json: Json = False,
) -> None:
    """Users in the order they registered: name, display name, email, external id,
    created, deactivated."""
    from mailslot.accounts import admin

    async def work(engine: AsyncEngine) -> tuple[list[UserRecord], bool]:
        async with engine.connect() as db:
            return await admin.list_users(db, search=search, limit=limit)

    users, more = on_database("user list", work)
    if json:
        print_json({"users": [_record(user) for user in users], "more": more})
        return
    print_table(
        ("username", "display name", "email", "external id", "created", "deactivated"),
        (
            (
                u.username,
                u.display_name,
                u.email,
                u.external_id,
                _when(u.created_at),
                _when(u.deactivated_at),
            )
            for u in users
        ),
    )
    if more:
        typer.echo("(more: raise --limit, or narrow with --search)")


@app.command("show")
def show(user: UserArgument = None, external_id: ExternalId = None, json: Json = False) -> None:
    """One user: ids, names, email, when created and deactivated, live sessions, and how
    much mail they have."""
    from mailslot.accounts import admin
    from mailslot.messages.counts import count_mail
    from mailslot.safety import sanctions

    named = _named("user show", user, external_id)

    async def work(engine: AsyncEngine) -> dict[str, Any]:
        async with engine.connect() as db:
            found = await admin.get_user(db, **named)
            live = await admin.count_sessions(db, found.id)
            mail = await count_mail(db, found.id)
            held = await sanctions.get_sanctions(db, found.id)
        return {
            **_record(found),
            "sanctions": {
                kind: None
                if kind not in held.held
                else {"since": held.held[kind].since.isoformat(), "reason": held.held[kind].reason}
                for kind in ("suspended", "shadow_banned")
            },
            "sanction_history": [
                {
                    "kind": change.kind,
                    "lifted": change.lifted,
                    "reason": change.reason,
                    "actor": change.actor,
                    "at": change.at.isoformat(),
                }
                for change in held.history
            ],
            "sessions": {"tokens": live.tokens, "older_api": live.legacy},
            "messages": {
                "sent": mail.sent,
                "received": mail.received,
                "unread": mail.unread,
                "trash": mail.trash,
            },
        }

    shown = on_database("user show", work)
    if json:
        print_json(shown)
        return
    print_table(
        ("field", "value"),
        [
            ("id", shown["id"]),
            ("username", shown["username"]),
            ("display name", shown["display_name"]),
            ("email", shown["email"]),
            ("external id", shown["external_id"]),
            ("created", shown["created_at"]),
            ("deactivated", shown["deactivated_at"]),
            *(
                (kind.replace("_", "-"), _held(shown["sanctions"][kind]))
                for kind in ("suspended", "shadow_banned")
            ),
            ("live tokens", shown["sessions"]["tokens"]),
            ("older API session", "started" if shown["sessions"]["older_api"] else None),
            *((f"messages {k}", v) for k, v in shown["messages"].items()),
        ],
    )


def _held(held: dict[str, Any] | None) -> str | None:
    return None if held is None else f"{held['since']} ({held['reason']})"


@app.command("create")
def create(
    username: Annotated[str, typer.Argument(help="1 to 64 letters, digits, `_ . -`")],
    email: Annotated[str | None, typer.Option("--email", help="unique")] = None,
    display_name: Annotated[str | None, typer.Option("--display-name")] = None,
    password_stdin: PasswordStdin = False,
    json: Json = False,
) -> None:
    """Register a user as POST /users does. The password is read from standard input
    with --password-stdin, else generated and printed once."""
    from mailslot.accounts import admin
    from mailslot.db.engine import make_session_factory

    settings = get_settings()
    generated = not password_stdin
    password = admin.new_password() if generated else _read_password("user create")

    async def work(engine: AsyncEngine) -> UserRecord:
        async with make_session_factory(engine)() as db:
            user = await admin.create_user(
                db,
                _passwords(settings),
                username=username,
                email=email,
                display_name=display_name,
                password=password,
            )
            await db.commit()
            return user

    user = on_database("user create", work)
    _audit("user.created", user_id=user.id)
    if json:
        print_json({**_record(user), **({"password": password} if generated else {})})
    else:
        typer.echo(f"created {user.username} (id {user.id})")
        if generated:
            typer.echo(f"password: {password}   (printed once)")


def _revoking(
    command: str,
    settings: Settings,
    named: dict[str, str | None],
    change: Callable[[AsyncSession, UserRecord], Awaitable[Any]],
) -> tuple[UserRecord, Any, bool]:
    """Find the user, make `change` and commit; then have every instance forget the
    user's tokens. Returns the user, what `change` returned and whether the instances
    were told (False without Redis)."""
    from mailslot.accounts import admin
    from mailslot.bus.oneshot import NotesUnavailable, command_notes
    from mailslot.db.engine import make_session_factory

    async def work(engine: AsyncEngine) -> tuple[UserRecord, Any, bool]:
        try:
            async with command_notes(settings, engine) as notes:
                async with make_session_factory(engine)() as db:
                    user = await admin.get_user(db, **named)
                    result = await change(db, user)
                    await db.commit()
                if notes is not None:
                    await notes.announce({"forget_user": user.id})
                return user, result, notes is not None
        except NotesUnavailable as error:
            fail(command, f"{error}: nothing changed", ExitCode.UNAVAILABLE)

    return on_database(command, work)


def _without_redis(settings: Settings) -> None:
    if settings.is_sqlite:
        bound = (
            f"a running server accepts tokens it has cached for up to "
            f"{settings.token_cache_seconds:g} s"
        )
    else:
        bound = "running servers refuse its tokens now"
    typer.echo(
        f"note: no MAILSLOT_REDIS_URL, so no running server was told: {bound}, and streams "
        f"already open last until their token would have expired (at most "
        f"{settings.token_ttl} s) or the server restarts.",
        err=True,
    )


@app.command("disable")
def disable(user: UserArgument = None, external_id: ExternalId = None, yes: Yes = False) -> None:
    """Deactivate a user: every token is revoked and their streams end on every instance;
    sign-in and sends to them are refused until `mailslot user enable`. Their mail stays."""
    from mailslot.accounts import admin

    named = _named("user disable", user, external_id)
    confirm("user disable", f"Disable {user or external_id} and end every session?", yes=yes)
    settings = get_settings()

    async def change(db: AsyncSession, found: UserRecord) -> Any:
        tokens = await admin.count_sessions(db, found.id)
        return (await admin.deactivate(db, found.id), tokens.tokens)

    found, (when, tokens), told = _revoking("user disable", settings, named, change)
    if when is None:
        typer.echo(f"{found.username} was disabled already")
        return
    _audit("user.disabled", user_id=found.id, tokens_revoked=tokens)
    typer.echo(f"disabled {found.username}: {tokens} tokens revoked")
    if not told:
        _without_redis(settings)


@app.command("enable")
def enable(user: UserArgument = None, external_id: ExternalId = None) -> None:
    """Let a disabled user sign in and receive again (the tokens revoked stay revoked)."""
    from mailslot.accounts import admin
    from mailslot.db.engine import make_session_factory

    named = _named("user enable", user, external_id)

    async def work(engine: AsyncEngine) -> tuple[UserRecord, bool]:
        async with make_session_factory(engine)() as db:
            found = await admin.get_user(db, **named)
            changed = await admin.reactivate(db, found.id)
            await db.commit()
            return found, changed

    found, changed = on_database("user enable", work)
    if not changed:
        typer.echo(f"{found.username} is enabled already")
        return
    _audit("user.enabled", user_id=found.id)
    typer.echo(f"enabled {found.username}")


@app.command("reset-password")
def reset_password(
    user: UserArgument = None,
    external_id: ExternalId = None,
    password_stdin: PasswordStdin = False,
    yes: Yes = False,
) -> None:
    """Give a user a new password, read from standard input with --password-stdin or
    generated and printed once, and sign them out everywhere."""
    from mailslot.accounts import admin

    named = _named("user reset-password", user, external_id)
    confirm("user reset-password", f"Reset the password of {user or external_id}?", yes=yes)
    settings = get_settings()
    generated = not password_stdin
    password = admin.new_password() if generated else _read_password("user reset-password")
    _check(password)

    async def change(db: AsyncSession, found: UserRecord) -> int:
        return await admin.reset_password(
            db, _passwords(settings), user_id=found.id, password=password
        )

    found, tokens, told = _revoking("user reset-password", settings, named, change)
    _audit("user.password_reset", user_id=found.id, tokens_revoked=tokens)
    typer.echo(f"reset the password of {found.username}: {tokens} tokens revoked")
    if generated:
        typer.echo(f"password: {password}   (printed once)")
    if not told:
        _without_redis(settings)


def _check(password: str) -> None:
    """Refuse a password registration would refuse before touching the database."""
    from mailslot.accounts import admin

    try:
        admin.check_password(password)
    except Unprocessable as error:
        refuse("user reset-password", error)


@sessions.command("revoke")
def revoke_sessions(
    user: UserArgument = None, external_id: ExternalId = None, yes: Yes = False
) -> None:
    """Sign a user out everywhere: every token (signed in or minted) and the older API's
    session end, and so do their streams on every instance."""
    from mailslot.accounts import admin

    named = _named("user sessions revoke", user, external_id)
    confirm("user sessions revoke", f"Sign {user or external_id} out everywhere?", yes=yes)
    settings = get_settings()

    async def change(db: AsyncSession, found: UserRecord) -> int:
        return await admin.end_all_sessions(db, found.id)

    found, tokens, told = _revoking("user sessions revoke", settings, named, change)
    _audit("user.sessions_revoked", user_id=found.id, tokens_revoked=tokens)
    typer.echo(f"signed {found.username} out: {tokens} tokens revoked")
    if not told:
        _without_redis(settings)


@app.command("erase")
def erase(
    user: UserArgument = None,
    external_id: ExternalId = None,
    mode: Annotated[
        str | None,
        typer.Option(
            "--mode",
            help="pseudonymize (what they sent stays with its receivers, from a tombstone "
            "name) or purge-sent (it goes too); default: MAILSLOT_ERASURE_MODE",
        ),
    ] = None,
    yes: Yes = False,
    json: Json = False,
) -> None:
    """Erase a user for good (docs/erasure.md): tokens revoked and streams ended on every
    instance, profile, inbox, trash and change log deleted, what they sent kept with its
    receivers under a tombstone name or removed (--mode). Written to the erasure ledger,
    which `mailslot restore` re-applies. Running it again finishes an interrupted one."""
    from mailslot.accounts import admin
    from mailslot.bus.oneshot import NotesUnavailable, command_notes
    from mailslot.cli.output import progress
    from mailslot.db.engine import make_session_factory
    from mailslot.rights.erasure import service as erasure
    from mailslot.rights.erasure.models import Erasure
    from mailslot.rights.erasure.run import run_erasure

    named = _named("user erase", user, external_id)
    if mode is not None and mode not in erasure.MODES:
        fail("user erase", f"--mode is one of {', '.join(erasure.MODES)}", ExitCode.USAGE)
    settings = get_settings()
    chosen = mode or settings.erasure_mode
    confirm(
        "user erase",
        f"Erase {user or external_id} for good ({chosen})? This cannot be undone.",
        yes=yes,
    )

    async def work(engine: AsyncEngine) -> tuple[UserRecord, Erasure, bool]:
        try:
            async with command_notes(settings, engine) as notes:
                async with make_session_factory(engine)() as db:
                    found = await admin.get_user(db, **named)
                    entry = await erasure.begin_erasure(
                        db,
                        user_id=found.id,
                        mode=chosen,  # type: ignore[arg-type]
                        hold_days=settings.erased_username_hold_days,
                    )
                    await db.commit()
                    if notes is not None:
                        await notes.announce({"forget_user": found.id})
                    with progress("erasing", None) as advance:
                        entry = await run_erasure(db, entry, on_batch=advance)
                return found, entry, notes is not None
        except NotesUnavailable as error:
            fail("user erase", f"{error}: nothing changed", ExitCode.UNAVAILABLE)

    found, entry, told = on_database("user erase", work)
    result = {
        "id": found.id,
        "tombstone": entry.tombstone,
        "mode": entry.mode,
        "requested_at": entry.requested_at.isoformat(),
        "finished_at": entry.finished_at and entry.finished_at.isoformat(),
        "counts": entry.counts,
    }
    if json:
        print_json(result)
    else:
        counts = ", ".join(f"{name} {n}" for name, n in entry.counts.items())
        typer.echo(
            f"erased user {found.id} ({entry.mode}), now shown as {entry.tombstone}: {counts}"
        )
    if not told:
        _without_redis(settings)


@app.command("erasures")
def erasures(
    finish: Annotated[
        bool,
        typer.Option(
            "--finish",
            help="finish every erasure that was interrupted (a server stopped while it ran)",
        ),
    ] = False,
    json: Json = False,
) -> None:
    """The erasure ledger: every erased account by internal id, with its tombstone name,
    mode and times; no personal data. An entry without a finish time is an erasure that
    was interrupted: --finish runs it to its end. `--json` writes what `mailslot restore
    --ledger` reads: keep a copy with your backups."""
    from mailslot.db.engine import make_session_factory
    from mailslot.rights.erasure.ledger import document, list_entries
    from mailslot.rights.erasure.run import finish_interrupted

    async def work(engine: AsyncEngine) -> Any:
        finished = 0
        if finish:
            async with make_session_factory(engine)() as db:
                finished = await finish_interrupted(db)
        async with engine.connect() as db:
            return finished, await list_entries(db)

    finished, entries = on_database("user erasures", work)
    if json:
        print_json({**document(entries), **({"finished": finished} if finish else {})})
        return
    print_table(
        ("user id", "tombstone", "mode", "requested", "finished"),
        ((e.user_id, e.tombstone, e.mode, e.requested_at, e.finished_at) for e in entries),
    )
    if finish:
        typer.echo(f"finished {finished} interrupted erasures")


@app.command("export")
def export(
    user: UserArgument = None,
    external_id: ExternalId = None,
    output: Annotated[
        str,
        typer.Option(
            "--output", "-o", metavar="FILE", help="the zip archive to write; - for standard output"
        ),
    ] = "",
) -> None:
    """Export the user's whole mailbox to a zip archive: the one the user's own export
    makes (profile, received, sent and trash as JSON lines and as mbox, a manifest of
    SHA-256 sums). Built here, not by a server, with a progress bar; a FILE is written
    beside itself and renamed once complete."""
    from pathlib import Path

    from mailslot.accounts import admin
    from mailslot.db.engine import make_session_factory
    from mailslot.exports.admin import ExportFailed, export_mailbox
    from mailslot.messages.counts import count_mail

    command = "user export"
    if not output:
        fail(
            command,
            "say where to write the archive: -o FILE (or -o - for standard output)",
            ExitCode.USAGE,
        )
    named = _named(command, user, external_id)
    target = None if output == "-" else Path(output)
    partial = None if target is None else target.with_name(target.name + ".part")

    async def work(engine: AsyncEngine) -> tuple[UserRecord, int]:
        sessions = make_session_factory(engine)
        async with engine.connect() as db:
            found = await admin.get_user(db, **named)
            mail = await count_mail(db, found.id)
        total = mail.received + mail.sent + mail.trash
        sink = sys.stdout.buffer if partial is None else partial.open("wb")
        try:
            with progress(command, total) as advance:
                done = 0

                def step(so_far: int) -> None:
                    nonlocal done
                    advance(max(0, min(so_far, total) - done))
                    done = max(done, min(so_far, total))

                size = await export_mailbox(
                    engine, sessions, user_id=found.id, write=sink.write, progress=step
                )
        except ExportFailed as error:
            fail(command, f"the export failed: {error}", ExitCode.FAILED)
        finally:
            if partial is not None:
                sink.close()
        return found, size

    try:
        found, size = on_database(command, work)
    except BaseException:
        if partial is not None:
            partial.unlink(missing_ok=True)
        raise
    if target is not None and partial is not None:
        partial.replace(target)
    else:
        sys.stdout.buffer.flush()
    _audit("user.export", user_id=found.id)
    if target is not None:
        typer.echo(f"exported {found.username} to {target} ({size} bytes)", err=True)


Reason = Annotated[
    str, typer.Option("--reason", help="why, kept in the user's sanction history (required)")
]


def _sanction(
    command: str, named: dict[str, str | None], kind: Kind, on: bool, reason: str
) -> None:
    """Put a sanction on or lift it, with its reason and `cli` as the actor; commit and
    write the act on the audit stream. It holds at once on every instance: each send
    reads it in its own statement."""
    from mailslot.accounts import admin
    from mailslot.db.engine import make_session_factory
    from mailslot.safety import sanctions

    if not reason.strip() or "\x00" in reason or len(reason) > sanctions.MAX_REASON:
        fail(command, f"--reason takes 1 to {sanctions.MAX_REASON} characters", ExitCode.USAGE)

    async def work(engine: AsyncEngine) -> tuple[UserRecord, bool]:
        async with make_session_factory(engine)() as db:
            found = await admin.get_user(db, **named)
            changed = await sanctions.set_sanction(
                db,
                user_id=found.id,
                kind=kind,
                on=on,
                reason=reason,
                actor="cli",
            )
            await db.commit()
            return found, changed

    found, changed = on_database(command, work)
    state = kind.replace("_", "-")
    if not changed:
        typer.echo(f"{found.username} is {'' if on else 'not '}{state} already")
        return
    _audit(sanctions.audit_action(kind, on), user_id=found.id)
    typer.echo(f"{found.username} is {'now' if on else 'no longer'} {state}")


@app.command("suspend")
def suspend(reason: Reason, user: UserArgument = None, external_id: ExternalId = None) -> None:
    """Suspend a user: they may sign in and read, every send is refused (403
    account_suspended) until `mailslot user unsuspend`."""
    _sanction("user suspend", _named("user suspend", user, external_id), "suspended", True, reason)


@app.command("unsuspend")
def unsuspend(reason: Reason, user: UserArgument = None, external_id: ExternalId = None) -> None:
    """Lift a suspension: the user sends again."""
    named = _named("user unsuspend", user, external_id)
    _sanction("user unsuspend", named, "suspended", False, reason)


@app.command("shadow-ban")
def shadow_ban(reason: Reason, user: UserArgument = None, external_id: ExternalId = None) -> None:
    """Shadow-ban a user: their sends look delivered to them and reach nobody, until
    `mailslot user unshadow-ban`."""
    named = _named("user shadow-ban", user, external_id)
    _sanction("user shadow-ban", named, "shadow_banned", True, reason)


@app.command("unshadow-ban")
def unshadow_ban(reason: Reason, user: UserArgument = None, external_id: ExternalId = None) -> None:
    """Lift a shadow-ban: the user's new messages reach their receivers again (those sent
    while banned never will)."""
    named = _named("user unshadow-ban", user, external_id)
    _sanction("user unshadow-ban", named, "shadow_banned", False, reason)
