"""create_app(settings): the map of mailslot; wiring only."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from functools import partial
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.telemetry import TelemetryConfig

from mailslot import __version__, metrics, ops
from mailslot.accounts import routes as accounts_routes
from mailslot.accounts.security import CredentialDigests, Passwords
from mailslot.accounts.throttle import SignInThrottle
from mailslot.accounts.tokencache import TokenCache
from mailslot.audit import routes as audit_routes
from mailslot.background import Background
from mailslot.bus.broker import make_broker
from mailslot.bus.events import session_info
from mailslot.compat import routes as compat_routes
from mailslot.compat.deprecation import DeprecationHeaders
from mailslot.compat.envelope import SeedBEnvelope
from mailslot.compat.seed_b import SeedBPageQuery
from mailslot.config import Settings, get_settings
from mailslot.db.deployment import deployment_key, redis_prefix
from mailslot.db.durability import UnsafeDurability, check_durability
from mailslot.db.engine import make_engine, make_session_factory, read_only
from mailslot.db.pooler import PoolerMisconfigured, check_pooler
from mailslot.exports import builder as export_builder
from mailslot.exports import routes as export_routes
from mailslot.jobs import routes as jobs_routes
from mailslot.jobs.service import JobRunner
from mailslot.keys.grants import Grants
from mailslot.logs import configure_logging
from mailslot.messages import changes
from mailslot.messages import conversation_routes as conversations_routes
from mailslot.messages import routes as messages_routes
from mailslot.messages.hostids import HostIds
from mailslot.messages.purge import Purger
from mailslot.messages.retention import Retainer
from mailslot.middleware import Edge
from mailslot.openapi import document_problems, operation_id, password_policy
from mailslot.policy.gate import PolicyMemory
from mailslot.problems import install_error_handlers
from mailslot.ratelimit import AbuseBudgets, RateLimits, make_limiter
from mailslot.realtime import routes as realtime_routes
from mailslot.realtime.deferred import RunDeferred
from mailslot.realtime.slots import make_stream_slots
from mailslot.rights.erasure import routes as erasure_routes
from mailslot.safety import routes as safety_routes
from mailslot.serverapi import contexts as serverapi_contexts
from mailslot.serverapi import exports as serverapi_exports
from mailslot.serverapi import holds as serverapi_holds
from mailslot.serverapi import mailbox as serverapi_mailbox
from mailslot.serverapi import messages as serverapi_messages
from mailslot.serverapi import policy as serverapi_policy
from mailslot.serverapi import routes as serverapi_routes
from mailslot.serverapi import safety as serverapi_safety
from mailslot.serverapi import tokens as serverapi_tokens
from mailslot.serverapi import users as serverapi_users
from mailslot.shutdown import Shutdown, stop_on_exit_signals
from mailslot.state import AppState
from mailslot.web import embed as web_embed
from mailslot.web.docs import mount_docs
from mailslot.web.routes import mount_web
from mailslot.webhooks import log_routes as webhook_log_routes
from mailslot.webhooks import replay as webhook_replay
from mailslot.webhooks import routes as webhook_routes
from mailslot.webhooks.sendhook import SendHook
from mailslot.webhooks.worker import Worker as WebhookWorker

DESCRIPTION = """A self-hosted mailbox-style messaging service.

Register (`POST /users`), sign in (`POST /users/{username}/token`), then send the token as
`Authorization: Bearer <token>`. Errors are RFC 9457 `application/problem+json` with a
stable `code`.

The seed A operations (`//signup`, `//login`, `//logout`, `//message`, `//messages`) keep
existing seed A clients working; they are deprecated in favour of this API.
"""


NO_TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        send_hook = SendHook.from_settings(settings)
        if send_hook is not None:
            try:
                await send_hook.check()  # a refused address stops the start (SSRF)
            except BaseException:
                await send_hook.aclose()
                raise
        engine = make_engine(settings)
        try:
            await check_pooler(engine, settings)  # first: a misconfigured PgBouncer
            await check_durability(engine, allow_unsafe=settings.allow_unsafe_durability)
        except (PoolerMisconfigured, UnsafeDurability):
            await engine.dispose()
            if send_hook is not None:
                await send_hook.aclose()
            raise
        # Only what is shared through Redis needs the deployment's key; without Redis the
        # database is not asked, so an instance starts (and /readyz says why it is not
        # ready) while the database is down or not yet migrated.
        prefix = settings.redis_prefix
        if settings.redis_url:
            prefix = redis_prefix(prefix, await deployment_key(engine))
        limiter = make_limiter(settings.redis_url, prefix=prefix)
        info: dict[str, Any] = {}
        sessions = make_session_factory(engine, info)
        change_log = changes.SessionChangeLog(sessions)
        broker = make_broker(settings, change_log, prefix=prefix)
        webhooks = WebhookWorker(settings, sessions)
        # Committed changes go to the broker, and wake the webhook worker when they (or an
        # outbox.emit) may have queued deliveries.
        info.update(session_info(webhooks.waking(broker)))
        info.update(webhooks.session_info())
        reads = read_only(engine)
        app.state.mailslot = state = AppState(
            settings=settings,
            engine=engine,
            sessions=sessions,
            reads=reads,
            change_log=change_log,
            broker=broker,
            token_cache=TokenCache(broker, reads, ttl=settings.token_cache_seconds),
            grants=Grants(
                broker,
                reads,
                ttl=settings.token_cache_seconds,
                over_redis=settings.redis_url is not None,
            ),
            host_ids=HostIds(
                broker, ttl=settings.token_cache_seconds, over_redis=settings.redis_url is not None
            ),
            policy=PolicyMemory(broker, ttl=settings.token_cache_seconds),
            stream_slots=make_stream_slots(settings, prefix=prefix),
            draining=Shutdown(),
            credential_digests=CredentialDigests(settings.resolved_secret_key()),
            passwords=Passwords(
                memory_kib=settings.password_hash_memory_kib,
                iterations=settings.password_hash_iterations,
                throttle=SignInThrottle.from_settings(settings, limiter),
                min_length=settings.password_min_length,
            ),
            limits=RateLimits(
                limiter,
                enabled=settings.rate_limits == "on",
                register=settings.limit_register_address,
                send=settings.limit_send_user,
                server=settings.limit_server_key,
                abuse=AbuseBudgets(
                    pair=settings.limit_send_pair,
                    new_account=settings.limit_send_new_account,
                    new_account_age=settings.new_account_hours * 3600,
                    first_contact=settings.limit_first_contact,
                ),
            ),
            purger=Purger(sessions, settings),
            jobs=JobRunner(
                sessions,
                {
                    webhook_replay.KIND: webhook_replay.replay_step,
                    export_builder.KIND: export_builder.export_step(
                        timedelta(seconds=settings.export_ttl)
                    ),
                },
            ),
            send_hook=send_hook,
        )
        restore_signals = stop_on_exit_signals(
            state.draining, drain=settings.shutdown_drain, timeout=settings.shutdown_timeout
        )
        if settings.metrics:
            metrics.worker_started(engine)
        await broker.start()
        await state.stream_slots.start()
        background = Background()
        if settings.purge_interval:
            background.start("mailslot-purger", state.purger.run)
        background.start("mailslot-jobs", state.jobs.run)
        if settings.change_retention_days:
            background.start(
                "mailslot-pruner",
                partial(changes.prune_forever, sessions, days=settings.change_retention_days),
            )
        if settings.retention_days and settings.retention_interval:
            retainer = Retainer(
                sessions,
                days=settings.retention_days,
                interval=settings.retention_interval,
                batch_size=settings.retention_batch_size,
                pause=settings.retention_pause,
            )
            background.start("mailslot-retention", retainer.run)
        if settings.webhook_worker:
            # SQLite has one writer: a thread of its own would only wait on the requests'.
            delivering = webhooks.run if settings.is_sqlite else webhooks.run_threaded
            background.start("mailslot-webhooks", delivering)
        if settings.metrics:
            background.start("mailslot-metrics", metrics.sample_forever)
        try:
            yield
        finally:
            state.draining.set()
            restore_signals()
            await background.aclose()
            await state.stream_slots.aclose()
            await broker.aclose()
            await engine.dispose()
            await limiter.close()
            if send_hook is not None:
                await send_hook.aclose()
            if settings.metrics:
                metrics.worker_stopped()

    app = FastAPI(
        title="mailslot",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        # No trailing-slash redirects: the Location would repeat the query string, which
        # holds seed A's password or a stream's ticket. `//login/` is a 404 like any other
        # address that is not documented.
        redirect_slashes=False,
        docs_url=None,  # web.docs serves /docs and /redoc from its own files
        redoc_url=None,
        strict_content_type=False,  # a JSON body without a Content-Type is still JSON
        # Enabled or not, FastAPI asks OpenTelemetry for its providers on every request:
        # 3% of a /healthz (make bench).
        telemetry=None if settings.opentelemetry else NO_TELEMETRY,
        generate_unique_id_function=operation_id,
    )
    install_error_handlers(app)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            password_policy(document_problems(FastAPI.openapi(app)), settings.password_min_length)
        return app.openapi_schema or {}

    app.openapi = openapi  # type: ignore[method-assign]
    app.include_router(ops.router)
    app.include_router(accounts_routes.router)
    app.include_router(erasure_routes.router)
    app.include_router(messages_routes.router)
    app.include_router(conversations_routes.router)
    app.include_router(messages_routes.changes_router)
    app.include_router(safety_routes.router)
    app.include_router(realtime_routes.router)
    app.include_router(serverapi_routes.router)
    app.include_router(serverapi_users.router)
    app.include_router(erasure_routes.server_router)
    app.include_router(serverapi_holds.router)
    app.include_router(serverapi_tokens.router)
    app.include_router(serverapi_mailbox.router)
    app.include_router(serverapi_contexts.router)
    app.include_router(audit_routes.router)
    app.include_router(serverapi_messages.router)
    app.include_router(serverapi_safety.router)
    app.include_router(serverapi_policy.router)
    app.include_router(webhook_routes.router)
    app.include_router(webhook_log_routes.router)
    app.include_router(jobs_routes.router)
    app.include_router(export_routes.router)
    app.include_router(serverapi_exports.router)
    mount_web(app)
    app.include_router(web_embed.router)
    mount_docs(app)
    app.include_router(compat_routes.router)
    if settings.metrics and settings.metrics_port is None:
        # Last: a request tries routes in order, and the API's should not try this one.
        app.include_router(ops.metrics_router)  # else on a port of its own (metrics.serving)
    app.add_middleware(DeprecationHeaders)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "Idempotency-Key",
                "X-Request-ID",
                "Mailslot-Envelope",
            ],
            expose_headers=["Retry-After", "X-Request-ID"],
            allow_credentials=False,  # bearer tokens, never cookies
            max_age=600,
        )
    app.add_middleware(SeedBPageQuery)
    # Streams run here, once every layer inside has returned (realtime/deferred.py).
    app.add_middleware(RunDeferred)
    app.add_middleware(Edge, max_body_bytes=settings.max_body_bytes)
    if settings.metrics:
        app.add_middleware(metrics.RequestMetrics)  # outside the edge: its answers count
    if settings.compat == "seed-b":
        # Outermost, so even the edge's refusals reach seed B's clients in its envelope.
        app.add_middleware(SeedBEnvelope)
    return app


def asgi() -> FastAPI:
    """The ASGI factory uvicorn's workers import (`mailslot.app:asgi`)."""
    settings = get_settings()
    configure_logging(settings, serving=True)
    app = create_app(settings)
    settle_garbage_collector()
    return app


def settle_garbage_collector() -> None:
    """For a serving process. What exists now (modules, routes, models) lives as long as
    the process, so the cyclic collector stops rescanning it; and it looks at young objects
    every 20,000 allocations instead of 700, since a request allocates thousands that
    reference counting frees anyway. `make bench`: 4-10% less CPU a request, lower p99."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)
