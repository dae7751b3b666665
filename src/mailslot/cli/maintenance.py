"""`mailslot db upgrade` and `mailslot purge`."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import typer

from mailslot.config import Settings, get_settings

db = typer.Typer(help="Database maintenance.", no_args_is_help=True)


async def upgrade(settings: Settings) -> None:
    from mailslot.db.migrate import upgrade

    await upgrade(settings)


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration to MAILSLOT_DATABASE_DIRECT_URL, or else to
    MAILSLOT_DATABASE_URL (behind PgBouncer the direct URL is required)."""
    from mailslot.cli.output import ExitCode, fail
    from mailslot.db.pooler import PoolerMisconfigured

    try:
        asyncio.run(upgrade(get_settings()))
    except PoolerMisconfigured as exc:
        fail("db upgrade", str(exc), ExitCode.USAGE)


def purge() -> None:
    """Purge trash older than MAILSLOT_TRASH_RETENTION_DAYS, idempotency keys older than 24
    hours, expired tokens and stream tickets, and the webhook delivery log older than
    MAILSLOT_WEBHOOK_LOG_DAYS (serving processes also do it every MAILSLOT_PURGE_INTERVAL s)."""
    typer.echo(f"purged {asyncio.run(_purge(get_settings()))}")


async def _purge(settings: Settings) -> object:
    from mailslot.db.engine import make_engine, make_session_factory
    from mailslot.messages.purge import purge_expired

    engine = make_engine(settings)
    try:
        return await purge_expired(
            make_session_factory(engine),
            trash_retention=timedelta(days=settings.trash_retention_days),
            webhook_log_retention=timedelta(days=settings.webhook_log_days),
        )
    finally:
        await engine.dispose()
