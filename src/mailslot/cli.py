"""The `mailslot` command: serve, db upgrade, purge."""

from __future__ import annotations

import argparse
import asyncio
import os
from typing import Any

from mailslot.config import Settings, get_settings

# `mailslot serve --<flag>` sets MAILSLOT_<FLAG>, so every worker process sees it too.
SERVE_FLAGS = {
    "host": str,
    "port": int,
    "workers": int,
    "database-url": str,
    "data-dir": str,
    "redis-url": str,
    "log-level": str,
    "log-format": str,
    "token-ttl": int,
    "rate-limits": str,
    "header-timeout": float,
    "body-timeout": float,
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="mailslot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the API and the web client")
    for flag, kind in SERVE_FLAGS.items():
        serve.add_argument(f"--{flag}", type=kind, help=f"overrides MAILSLOT_{_env(flag)}")
    serve.add_argument(
        "--no-migrate", action="store_true", help="do not apply migrations at start (SQLite)"
    )
    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply every migration")
    commands.add_parser(
        "purge",
        help="purge trash older than MAILSLOT_TRASH_RETENTION_DAYS, idempotency keys older "
        "than 24 hours, and expired tokens and stream tickets (serving processes also do it "
        "every MAILSLOT_PURGE_INTERVAL s)",
    )
    args = parser.parse_args(argv)

    if args.command == "serve":
        for flag in SERVE_FLAGS:
            value = getattr(args, flag.replace("-", "_"))
            if value is not None:
                os.environ[f"MAILSLOT_{_env(flag)}"] = str(value)
        get_settings.cache_clear()
        _serve(get_settings(), migrate=not args.no_migrate)
    elif args.command == "db":
        settings = get_settings()
        asyncio.run(_upgrade(settings))
    elif args.command == "purge":
        asyncio.run(_purge(get_settings()))


def _env(flag: str) -> str:
    return flag.replace("-", "_").upper()


async def _upgrade(settings: Settings) -> None:
    from mailslot.db.migrate import upgrade

    await upgrade(settings)


async def _purge(settings: Settings) -> None:
    from datetime import timedelta

    from mailslot.db.engine import make_engine, make_session_factory
    from mailslot.messages.purge import purge_expired

    engine = make_engine(settings)
    try:
        purged = await purge_expired(
            make_session_factory(engine),
            trash_retention=timedelta(days=settings.trash_retention_days),
        )
    finally:
        await engine.dispose()
    print(f"purged {purged}")  # noqa: T201 (the command's answer)


def _serve(settings: Settings, *, migrate: bool) -> None:
    import uvicorn

    from mailslot.logs import configure_logging

    configure_logging(settings)
    if migrate and settings.is_sqlite:
        # The embedded default migrates itself; a shared database is migrated by
        # `mailslot db upgrade`, once, before its instances start.
        asyncio.run(_upgrade(settings))
    try:
        settings.resolved_secret_key()  # created once, before workers race for it
    except ValueError as exc:
        raise SystemExit(f"mailslot: {exc}") from None
    uvicorn.run("mailslot.app:asgi", **uvicorn_options(settings))


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """How `mailslot serve` runs uvicorn (bench/live_memory.py runs the same in-process)."""
    return {
        "factory": True,
        "host": settings.host,
        "port": settings.port,
        "workers": settings.workers,
        "access_log": False,
        "log_config": None,
        "server_header": False,
        "timeout_graceful_shutdown": 10,
        "http": "mailslot.server:DeadlineProtocol",
        "forwarded_allow_ips": settings.forwarded_allow_ips,
        # WebSocket heartbeats are protocol pings; a client frame has nothing to carry.
        "ws_ping_interval": settings.stream_heartbeat,
        "ws_ping_timeout": 20.0,
        "ws_max_size": settings.ws_max_bytes,
        # No permessage-deflate: its compressor is ~45 KiB per connection for as long as
        # it is open, to shrink events of a few hundred bytes (bench/README.md, live).
        "ws_per_message_deflate": False,
        # wsproto keeps less per connection than websockets' implementation: 26.7 against
        # 30.6 KiB per idle WebSocket (bench.live, 1,000 connections).
        "ws": "wsproto",
    }


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
