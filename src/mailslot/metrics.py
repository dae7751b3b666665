"""Prometheus metrics (docs/monitoring.md): every metric family, the HTTP layer that counts
requests, the pool that times its checkouts, and the process plumbing for `--workers N`.

One process keeps its values in memory. Under `mailslot serve --workers N` (N > 1) each
worker writes its values to files in PROMETHEUS_MULTIPROC_DIR, which `serving` sets (and
empties) before the workers start; whoever answers a scrape reads them all. Gauges that
describe a live process (in flight, connections, pool) are `livesum`/`livemin`: their
files are removed when a worker stops (`worker_stopped`), and those of a worker that died
without stopping when the next worker starts or at the next scrape (`reap_dead_workers`).

Cheap on the hot path: labels are fixed sets (a route's template, never its path; no
username or id anywhere), a request's children are looked up in a dict, and gauges that
move on every request (in flight, the pool) are plain integers published once a second
by `sample_forever`, not written per request.
"""

from __future__ import annotations

import asyncio
import glob
import ipaddress
import os
import platform
import shutil
import tempfile
import time
import weakref
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    start_http_server,
)
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.registry import Collector
from sqlalchemy import Engine
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import AsyncAdaptedQueuePool, QueuePool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mailslot import __version__
from mailslot.config import Settings

MULTIPROC_DIR: Final = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE: Final = CONTENT_TYPE_LATEST
SAMPLE_INTERVAL = 1.0  # seconds between publications of the per-request gauges

# The families register here, not in prometheus_client's default registry (whose process
# collectors do not add up across workers).
REGISTRY = CollectorRegistry(auto_describe=True)

# Latencies of a request, a push, a checkout: from half a millisecond to ten seconds.
FAST_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)

# -- HTTP ---------------------------------------------------------------------------------
HTTP_REQUESTS = Counter(
    "mailslot_http_requests",
    "HTTP requests answered, by method, route template and status class (2xx...).",
    ["method", "route", "status"],
    registry=REGISTRY,
)
HTTP_DURATION = Histogram(
    "mailslot_http_request_duration_seconds",
    "Time from a request's arrival to the end of its answer (event streams excluded).",
    ["method", "route"],
    buckets=FAST_BUCKETS,
    registry=REGISTRY,
)
HTTP_IN_FLIGHT = Gauge(
    "mailslot_http_requests_in_flight",
    "HTTP requests being answered (an event stream counts until its headers are sent).",
    multiprocess_mode="livesum",
    registry=REGISTRY,
)

# -- live streams ------------------------------------------------------------------------
LIVE_CONNECTIONS = Gauge(
    "mailslot_live_connections",
    "Live streams open, by transport (sse, websocket).",
    ["transport"],
    multiprocess_mode="livesum",
    registry=REGISTRY,
)
LIVE_OPENED = Counter(
    "mailslot_live_connections_opened",
    "Live streams opened, by transport.",
    ["transport"],
    registry=REGISTRY,
)
LIVE_CLOSED = Counter(
    "mailslot_live_connections_closed",
    "Live streams closed, by transport and reason (closed, too_slow, signed_out, expired, "
    "resync_required, unavailable, restart).",
    ["transport", "reason"],
    registry=REGISTRY,
)
LIVE_DELIVERED = Counter(
    "mailslot_live_events_delivered",
    "Events written to live subscribers, by transport.",
    ["transport"],
    registry=REGISTRY,
)
LIVE_LAG = Histogram(
    "mailslot_live_delivery_lag_seconds",
    "From the commit of a change to its push to a live subscriber (events that arrive "
    "live; not those replayed from the change log).",
    ["transport"],
    buckets=FAST_BUCKETS,
    registry=REGISTRY,
)

# -- messages ----------------------------------------------------------------------------
MESSAGES_SENT = Counter(
    "mailslot_messages_sent", "Messages stored by a send, any surface.", registry=REGISTRY
)

# -- Redis -------------------------------------------------------------------------------
RETENTION_DELETED = Counter(
    "mailslot_retention_deleted_messages",
    "Messages the retention job deleted (MAILSLOT_RETENTION_DAYS).",
    registry=REGISTRY,
)
REDIS_PUBLISHED = Counter(
    "mailslot_redis_published_events",
    "Events published to Redis for other instances.",
    registry=REGISTRY,
)
REDIS_PUBLISH_FAILURES = Counter(
    "mailslot_redis_publish_failures",
    "Publications to Redis that failed (retried with backoff).",
    registry=REGISTRY,
)
REDIS_DROPPED = Counter(
    "mailslot_redis_dropped_events",
    "Events never published because Redis stayed away (streams re-read them from the log).",
    registry=REGISTRY,
)
REDIS_INVALID = Counter(
    "mailslot_redis_invalid_payloads",
    "Payloads from Redis refused as not ours (size, JSON, shape, deployment, recipient).",
    registry=REGISTRY,
)
REDIS_RECONNECTS = Counter(
    "mailslot_redis_reconnects",
    "Times the Redis subscriber connection was subscribed again after a loss.",
    registry=REGISTRY,
)
REDIS_SUBSCRIBED = Gauge(
    "mailslot_redis_subscribed",
    "1 while every live worker's Redis subscriber is subscribed, else 0.",
    multiprocess_mode="livemin",
    registry=REGISTRY,
)
REDIS_RECEIVE_LAG = Histogram(
    "mailslot_redis_receive_lag_seconds",
    "From the commit on another instance to the event's arrival here through Redis.",
    buckets=FAST_BUCKETS,
    registry=REGISTRY,
)

# -- database pool -----------------------------------------------------------------------
DB_POOL_CONNECTIONS = Gauge(
    "mailslot_db_pool_connections",
    "Pooled database connections by state (in_use, idle).",
    ["state"],
    multiprocess_mode="livesum",
    registry=REGISTRY,
)
DB_POOL_MAX = Gauge(
    "mailslot_db_pool_max_connections",
    "The most connections the pools may open (pool size plus overflow, every worker).",
    multiprocess_mode="livesum",
    registry=REGISTRY,
)
DB_POOL_WAITING = Gauge(
    "mailslot_db_pool_waiting",
    "Checkouts waiting for a database connection (or for one to be opened).",
    multiprocess_mode="livesum",
    registry=REGISTRY,
)
DB_POOL_WAIT = Histogram(
    "mailslot_db_pool_wait_seconds",
    "Time to get a database connection, for checkouts that found none idle.",
    buckets=FAST_BUCKETS,
    registry=REGISTRY,
)

# -- background work ---------------------------------------------------------------------
JOB_RUNS = Counter(
    "mailslot_background_runs",
    "Runs of background work, by job (purge, prune, jobs, webhooks, retention) and outcome.",
    ["job", "outcome"],
    registry=REGISTRY,
)
JOB_DURATION = Histogram(
    "mailslot_background_run_duration_seconds",
    "How long a run of background work took, by job.",
    ["job"],
    buckets=(0.005, 0.025, 0.1, 0.5, 1, 5, 30, 120, 600),
    registry=REGISTRY,
)
JOB_LAST_SUCCESS = Gauge(
    "mailslot_background_last_success_timestamp_seconds",
    "When a run of the job last succeeded (Unix time), on any worker.",
    ["job"],
    multiprocess_mode="max",
    registry=REGISTRY,
)
TASK_CRASHES = Counter(
    "mailslot_background_task_crashes",
    "Forever-tasks (purger, brokers' loops, webhook worker...) that ended with an error.",
    ["task"],
    registry=REGISTRY,
)

BUILD_INFO = Gauge(
    "mailslot_build_info",
    "Always 1: the version of mailslot and of Python that serve.",
    ["version", "python"],
    multiprocess_mode="max",
    registry=REGISTRY,
)


# -- recording -----------------------------------------------------------------------------


@dataclass(slots=True)
class _Live:
    """What moves on every request, counted in plain integers (see sample_forever)."""

    in_flight: int = 0


LOCAL = _Live()
_ENGINES: weakref.WeakSet[Engine] = weakref.WeakSet()  # whose pools `sample` reads


def delivered(transport: str, committed_at: float) -> None:
    """An event went out to a live subscriber; `committed_at` is 0 for one replayed from
    the change log (no lag to tell)."""
    LIVE_DELIVERED.labels(transport).inc()
    if committed_at:
        LIVE_LAG.labels(transport).observe(max(time.time() - committed_at, 0.0))


@contextmanager
def job_run(job: str) -> Iterator[None]:
    """Time one run of background work; an exception is its failure (and goes on)."""
    started = time.perf_counter()
    try:
        yield
    except Exception:
        JOB_RUNS.labels(job, "failure").inc()
        raise
    else:
        JOB_RUNS.labels(job, "success").inc()
        JOB_LAST_SUCCESS.labels(job).set(time.time())
    finally:
        JOB_DURATION.labels(job).observe(time.perf_counter() - started)


def job_failed(job: str, started: float) -> None:
    """A run that reported its failure without raising (it logged and went on)."""
    JOB_RUNS.labels(job, "failure").inc()
    JOB_DURATION.labels(job).observe(time.perf_counter() - started)


def job_succeeded(job: str, started: float) -> None:
    JOB_RUNS.labels(job, "success").inc()
    JOB_LAST_SUCCESS.labels(job).set(time.time())
    JOB_DURATION.labels(job).observe(time.perf_counter() - started)


class MeteredPool(AsyncAdaptedQueuePool):
    """SQLAlchemy's pool for asyncio, timing the checkouts that find no idle connection
    (they wait for one, or for a new one to open) and counting those under way; one that
    finds an idle connection costs a check. db/engine.py uses it when metrics are on."""

    _sqla_logger_namespace = "sqlalchemy.pool.impl.AsyncAdaptedQueuePool"  # its logger

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.waiting = 0

    def _do_get(self) -> Any:
        if not self._pool.empty():
            return super()._do_get()  # an idle connection: nothing to wait for, or to time
        started = time.perf_counter()
        self.waiting += 1
        try:
            return super()._do_get()
        finally:
            self.waiting -= 1
            DB_POOL_WAIT.observe(time.perf_counter() - started)


def watch(engine: AsyncEngine) -> None:
    """Report this engine's pool (the app's; not a command's passing engine)."""
    _ENGINES.add(engine.sync_engine)


def sample() -> None:
    """Publish the gauges kept as plain integers."""
    HTTP_IN_FLIGHT.set(LOCAL.in_flight)
    in_use = idle = waiting = most = 0
    for engine in list(_ENGINES):
        pool = engine.pool
        if isinstance(pool, QueuePool):
            in_use += pool.checkedout()
            idle += pool.checkedin()
            most += pool.size() + max(pool._max_overflow, 0)
        waiting += getattr(pool, "waiting", 0)
    DB_POOL_CONNECTIONS.labels("in_use").set(in_use)
    DB_POOL_CONNECTIONS.labels("idle").set(idle)
    DB_POOL_WAITING.set(waiting)
    DB_POOL_MAX.set(most)


async def sample_forever() -> None:
    while True:
        sample()
        await asyncio.sleep(SAMPLE_INTERVAL)


# -- HTTP layer ----------------------------------------------------------------------------

METHODS: Final = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED: Final = "unmatched"  # the route of a request no route took (a 404)


class RequestMetrics:
    """Pure ASGI, outside the edge (so its 413s and 500s count too): one count per HTTP
    request by method, route template and status class, and its duration. An event
    stream leaves the in-flight count, and the duration histogram, once its headers are
    out: the live-connection metrics follow it from there."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._counts: dict[tuple[str, str, int], Any] = {}
        self._durations: dict[tuple[str, str], Any] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        root_path = scope.get("root_path", "")
        status = 0
        streaming = False
        live = LOCAL
        live.in_flight += 1

        async def metered_send(message: Message) -> None:
            nonlocal status, streaming
            if message["type"] == "http.response.start":
                status = message["status"]
                if _is_event_stream(message):
                    streaming = True
                    live.in_flight -= 1
            await send(message)

        try:
            await self.app(scope, receive, metered_send)
        finally:
            method = scope["method"]
            if method not in METHODS:
                method = "other"
            route = _route_template(scope, root_path)
            key = (method, route, status // 100)
            counter = self._counts.get(key)
            if counter is None:
                status_class = f"{status // 100}xx" if status else "none"
                counter = self._counts[key] = HTTP_REQUESTS.labels(method, route, status_class)
            counter.inc()
            if not streaming:
                live.in_flight -= 1
                histogram = self._durations.get(key[:2])
                if histogram is None:
                    histogram = self._durations[key[:2]] = HTTP_DURATION.labels(method, route)
                histogram.observe(time.perf_counter() - started)


def _route_template(scope: Scope, root_path: str) -> str:
    route = scope.get("route")
    if route is not None:
        path: str = getattr(route, "path", UNMATCHED)
        return path
    mounted = scope.get("root_path", "")
    if mounted != root_path:  # a mount (static files, the API docs' assets)
        return f"{mounted[len(root_path) :]}/{{path}}"
    return UNMATCHED


def _is_event_stream(message: Message) -> bool:
    for name, value in message.get("headers", ()):
        if name == b"content-type":
            return bool(value.startswith(b"text/event-stream"))
    return False


# -- exposition, workers, the separate port -------------------------------------------------


def client_allowed(host: str | None, networks: Iterable[str]) -> bool:
    """Whether a client address (after the proxy headers) is in one of `networks`."""
    if not host:
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in ipaddress.ip_network(network, strict=False) for network in networks)


class _LiveWorkers(Collector):
    """The workers' files, once those of dead workers are marked dead."""

    def __init__(self, directory: str) -> None:
        self._directory = directory
        self._files = MultiProcessCollector(None, path=directory)  # type: ignore[no-untyped-call]

    def collect(self) -> Iterable[Any]:
        reap_dead_workers(self._directory)
        families: Iterable[Any] = self._files.collect()  # type: ignore[no-untyped-call]
        return families


def exposition_registry() -> CollectorRegistry:
    """What a scrape reads: every worker's files under `--workers N`, else this process."""
    directory = os.environ.get(MULTIPROC_DIR)
    if not directory:
        return REGISTRY
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_LiveWorkers(directory))
    return registry


def exposition() -> bytes:
    """The text format of every family, as a scrape gets it."""
    return generate_latest(exposition_registry())


def reap_dead_workers(directory: str) -> None:
    """Mark dead the workers whose live gauges are still on file but which no longer run
    (killed, crashed): their in-flight requests, streams and pool leave the sums."""
    for path in glob.glob(os.path.join(directory, "gauge_live*_*.db")):
        pid_text = os.path.basename(path).rsplit("_", 1)[1].removesuffix(".db")
        if pid_text.isdigit() and not _running(int(pid_text)):
            mark_process_dead(int(pid_text), directory)  # type: ignore[no-untyped-call]


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    try:  # Linux: a killed worker the server has not waited for yet is a zombie
        stat = Path(f"/proc/{pid}/stat").read_bytes()
        state = stat.rsplit(b")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state != b"Z"


def worker_started(engine: AsyncEngine) -> None:
    """At a worker's start (its lifespan): the build, its pool, dead predecessors reaped."""
    watch(engine)
    BUILD_INFO.labels(__version__, platform.python_version()).set(1)
    REDIS_SUBSCRIBED.set(1)  # brokers without Redis have nothing to lose
    directory = os.environ.get(MULTIPROC_DIR)
    if directory:
        reap_dead_workers(directory)
    sample()


def worker_stopped() -> None:
    """At a worker's graceful exit: its live gauges leave the sums at once."""
    directory = os.environ.get(MULTIPROC_DIR)
    if directory:
        mark_process_dead(os.getpid(), directory)  # type: ignore[no-untyped-call]


@contextmanager
def serving(settings: Settings) -> Iterator[None]:
    """Around `mailslot serve`'s uvicorn.run, in the process that starts the workers.
    With several workers, the directory their values go to: PROMETHEUS_MULTIPROC_DIR if
    the operator set one (emptied now), else a new one of its own (removed at exit); set
    in the environment before any worker starts. With MAILSLOT_METRICS_PORT, /metrics on
    a listener of its own here, adding up every worker."""
    if not settings.metrics:
        yield
        return
    directory = os.environ.get(MULTIPROC_DIR)
    owned = False
    if directory:
        os.makedirs(directory, exist_ok=True)
        for path in glob.glob(os.path.join(directory, "*.db")):
            os.remove(path)
    elif settings.workers > 1:
        directory = tempfile.mkdtemp(prefix="mailslot-metrics-")
        owned = True
        os.environ[MULTIPROC_DIR] = directory
    server = None
    if settings.metrics_port is not None:
        server, _thread = start_http_server(
            settings.metrics_port, addr=settings.host, registry=exposition_registry()
        )
    try:
        yield
    finally:
        if server is not None:
            server.shutdown()
            server.server_close()
        if owned and directory:
            shutil.rmtree(directory, ignore_errors=True)
            os.environ.pop(MULTIPROC_DIR, None)
