"""`mailslot serve`: uvicorn with the protections uvicorn lacks by default."""

from __future__ import annotations

import asyncio
import os
from typing import Annotated, Any

import typer

from mailslot.cli.maintenance import upgrade
from mailslot.config import Settings, get_settings
from mailslot.server import run_uvicorn
from mailslot.shutdown import grace_period


def serve(
    host: Annotated[str | None, typer.Option(help="sets MAILSLOT_HOST")] = None,
    port: Annotated[int | None, typer.Option(help="sets MAILSLOT_PORT")] = None,
    workers: Annotated[int | None, typer.Option(help="sets MAILSLOT_WORKERS")] = None,
    database_url: Annotated[str | None, typer.Option(help="sets MAILSLOT_DATABASE_URL")] = None,
    data_dir: Annotated[str | None, typer.Option(help="sets MAILSLOT_DATA_DIR")] = None,
    redis_url: Annotated[str | None, typer.Option(help="sets MAILSLOT_REDIS_URL")] = None,
    log_level: Annotated[str | None, typer.Option(help="sets MAILSLOT_LOG_LEVEL")] = None,
    log_format: Annotated[str | None, typer.Option(help="sets MAILSLOT_LOG_FORMAT")] = None,
    token_ttl: Annotated[int | None, typer.Option(help="sets MAILSLOT_TOKEN_TTL")] = None,
    rate_limits: Annotated[str | None, typer.Option(help="sets MAILSLOT_RATE_LIMITS")] = None,
    header_timeout: Annotated[
        float | None, typer.Option(help="sets MAILSLOT_HEADER_TIMEOUT")
    ] = None,
    body_timeout: Annotated[float | None, typer.Option(help="sets MAILSLOT_BODY_TIMEOUT")] = None,
    no_migrate: Annotated[
        bool, typer.Option("--no-migrate", help="do not apply migrations at start (SQLite)")
    ] = False,
) -> None:
    """Serve the API and the web client. Each flag sets its MAILSLOT_ variable, so every
    worker process sees it too; the other settings are read from the environment."""
    flags = dict(locals())
    migrate = not flags.pop("no_migrate")
    for name, value in flags.items():
        if value is not None:
            os.environ[f"MAILSLOT_{name.upper()}"] = str(value)
    get_settings.cache_clear()
    _serve(get_settings(), migrate=migrate)


def _serve(settings: Settings, *, migrate: bool) -> None:
    import uvicorn

    from mailslot import metrics
    from mailslot.db.pooler import PoolerMisconfigured, check_settings
    from mailslot.logs import configure_logging

    configure_logging(settings, serving=True)
    try:
        check_settings(settings)
    except PoolerMisconfigured as exc:
        raise SystemExit(f"mailslot: {exc}") from None
    if migrate and settings.is_sqlite:
        # The embedded default migrates itself; a shared database is migrated by
        # `mailslot db upgrade`, once, before its instances start.
        asyncio.run(upgrade(settings))
    try:
        settings.resolved_secret_key()  # created once, before workers race for it
    except ValueError as exc:
        raise SystemExit(f"mailslot: {exc}") from None
    # Before the workers start: where their metrics go, and the metrics port.
    with metrics.serving(settings):
        run_uvicorn(uvicorn.Config("mailslot.app:asgi", **uvicorn_options(settings)))


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
        # Counted from the end of the drain (mailslot/shutdown.py).
        "timeout_graceful_shutdown": grace_period(
            drain=settings.shutdown_drain, timeout=settings.shutdown_timeout
        ),
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
