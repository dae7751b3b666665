"""The delivery worker, one in every serving process: claims due deliveries under a lease
(webhooks/delivery.py), POSTs each signed event to its endpoint, records the outcome.

Woken at once by a commit of this process that queued deliveries (an `outbox.emit`, or a
mailbox change while some endpoint is enabled), otherwise every `webhook_poll_interval`
and when a retry it scheduled falls due. At most `webhook_concurrency` attempts run at
once, at most `webhook_connections` of them to one endpoint. An attempt ends before its
lease does, so no other instance can claim it while it runs; one cut short by a stop or
a crash leaves its claim to run out, and it is attempted again (at least once).

Server-side request forgery: the endpoint's name is resolved and checked at each
connection (`targets.PinnedResolver`, aiohttp's resolver for that endpoint's
connections), which goes to a checked address, with the name in Host and in TLS (SNI,
certificate): a name that resolves elsewhere by then (DNS rebinding) reaches nothing
unchecked. An IP literal is checked once per process (it cannot resolve elsewhere).

The client is aiohttp, not httpx as elsewhere: a POST costs a ninth of the CPU
(bench/README.md, "Webhook delivery under the send load"), which decides how many
events an instance can deliver beside the sends it serves."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import ssl
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final, NamedTuple, cast

import aiohttp
import anyio
import yarl
from anyio.abc import TaskGroup
from sqlalchemy import event as sa_event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from mailslot import __version__, metrics
from mailslot.bus.events import Event, Publisher
from mailslot.config import Settings
from mailslot.db.base import utcnow
from mailslot.db.engine import make_engine, make_session_factory
from mailslot.errors import WebhookUrlRefused
from mailslot.webhooks import delivery, endpoints, outbox, payloads, signing, targets
from mailslot.webhooks.delivery import Claim, Outcome
from mailslot.webhooks.models import WebhookEndpoint, WebhookEvent

log = logging.getLogger("mailslot.webhooks")

USER_AGENT: Final = f"mailslot-webhooks/{__version__}"
MAX_RESPONSE_BYTES: Final = 64 * 1024  # read of a response body; the rest is dropped
# An endpoint's claimed deliveries held here, per connection: few, so that a slow
# endpoint's claims are attempted well within their lease and other instances get a
# share; more for one whose attempts are quick, so a claim (four statements) serves many.
HOLD: Final = 4
HOLD_FAST: Final = 16
FAST_SECONDS: Final = 0.1  # an endpoint is quick while its attempts average less
POOL: Final = 4  # database connections of a worker in a thread (claims, records, renders)
RECORD_LINGER: Final = 0.02  # seconds outcomes gather before one transaction records them
CLIENT_IDLE: Final = 300.0  # seconds an endpoint's unused connections are kept
# Seconds a thread waiting for the interpreter waits before the running one must let it
# in (sys.setswitchinterval; Python's default is 5 ms), while the worker has a thread of
# its own. Each step of an attempt or a claim waited that long behind a serving thread
# that is never idle under load: at 1 ms, commit to receiver p99 190-278 ms against
# 273-347, for the same throughput (bench/README.md, "Where an event's 60-190 ms went").
SWITCH_INTERVAL: Final = 0.001
_WAKE: Final = "mailslot.webhooks.wake"


class _Job(NamedTuple):
    claim: Claim
    event: WebhookEvent | None  # None: deleted since the claim
    endpoint: WebhookEndpoint | None


@dataclass(slots=True)
class _Client:
    http: aiohttp.ClientSession
    used: float  # monotonic


class Worker:
    """Delivers this process's share of the outbox; `run` until cancelled."""

    def __init__(
        self,
        settings: Settings,
        sessions: async_sessionmaker[AsyncSession],
        *,
        verify: ssl.SSLContext | bool = True,  # tests trust their own authority
    ) -> None:
        self._settings = settings
        self._verify = verify
        self._sessions = sessions
        self._wakeup = asyncio.Event()
        # Claimed deliveries wait in their endpoint's queue until one of its connections
        # is free: an endpoint is claimed for only while it holds fewer than its share.
        self._queues: dict[int, deque[_Job]] = {}
        self._held: dict[int, int] = {}  # by endpoint id: queued and running
        self._held_total = 0
        # An endpoint's lanes: tasks that each attempt its queued deliveries one after
        # another, over one connection (a task per attempt cost a tenth of an attempt).
        self._lanes: dict[int, int] = {}  # by endpoint id
        self._running = 0  # lanes, of every endpoint
        self._lane_wanted = False  # an endpoint waits for a lane while all are taken
        self._latency: dict[int, float] = {}  # by endpoint id: its attempts' moving mean
        self._clients: dict[tuple[int, str, str, int], _Client] = {}
        # Parsed (and an IP literal checked) once per URL, not per attempt (parsing was a
        # tenth of an attempt's CPU).
        self._targets: dict[str, tuple[targets.Target, yarl.URL]] = {}
        self._next_due: float | None = None  # monotonic: the soonest retry scheduled here
        # Whether some endpoint is enabled, as of the last poll: mailbox commits wake the
        # worker only then. True to begin with, so the first commits are never missed.
        self.subscribed = True
        self._wakes = 0
        self._checked = 0.0  # monotonic: when `subscribed` was last read
        self._claim_wanted = True  # new work may be due, or an endpoint has room again
        self._claimed_at = -math.inf  # monotonic: when the last claim began
        self._more_due = True  # the last claim took all it could: more may be due
        # Outcomes are written together, one transaction for all that are ready (on SQLite
        # a commit is an fsync): see _record_forever.
        self._outcomes: list[tuple[_Job, Outcome]] = []
        self._outcomes_ready = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None  # where `run` runs, and its thread
        self._thread = 0
        self._wake_pending = False
        self._timed_out = False

    # -- waking -------------------------------------------------------------------------

    def wake(self) -> None:
        """Claim at once: deliveries were queued (so some endpoint is enabled). Called from
        any thread: the worker may run on a loop of its own (`run_threaded`)."""
        self.subscribed = True
        self._wakes += 1
        self.nudge()

    def nudge(self) -> None:
        """Claim at once: deliveries may have been queued (mailboxes changed while some
        endpoint was enabled)."""
        self._claim_wanted = True
        if self._loop is None or threading.get_ident() == self._thread:
            self._wakeup.set()
        elif not self._wake_pending:  # one hop to the worker's loop per wake-up, not per commit
            self._wake_pending = True
            self._loop.call_soon_threadsafe(self._woken)

    def _woken(self) -> None:
        self._wake_pending = False
        self._wakeup.set()

    def session_info(self) -> dict[str, Any]:
        """The `info` of sessions whose committed `outbox.emit` wakes this worker."""
        _listen_once()
        return {_WAKE: self.wake}

    def waking(self, publisher: Publisher) -> Publisher:
        """`publisher`, which also wakes this worker after a commit that changed mailboxes
        while endpoints are enabled (their events may have queued deliveries)."""
        return _WakingPublisher(publisher, self)

    # -- the loop -----------------------------------------------------------------------

    async def run_threaded(self) -> None:
        """`run` in a thread of its own, on a loop of the caller's kind, over a database
        pool of its own (a pool's connections belong to one loop), until cancelled. On the
        serving loop, each step of an attempt waited behind every request's ready
        callbacks: under a load of sends, delivery fell behind them (the backlog's age was
        the latency). Between threads the interpreter switches within
        SWITCH_INTERVAL, whatever the requests' queue."""
        caller = asyncio.get_running_loop()
        ended: asyncio.Future[None] = caller.create_future()
        stop = threading.Event()
        running: list[tuple[asyncio.AbstractEventLoop, asyncio.Task[Any]]] = []

        async def main() -> None:
            running.append(
                (asyncio.get_running_loop(), cast(asyncio.Task[Any], asyncio.current_task()))
            )
            if stop.is_set():  # cancelled before this thread got this far
                return
            await self.run_own_pool()

        def end(error: BaseException | None) -> None:
            if not ended.done():
                ended.set_exception(error) if error else ended.set_result(None)

        def thread() -> None:
            error: BaseException | None = None
            try:
                with asyncio.Runner(loop_factory=type(caller)) as runner:
                    runner.run(main())
            except asyncio.CancelledError:
                pass
            except BaseException as exc:  # reported to the caller, which logs it
                error = exc
            with contextlib.suppress(RuntimeError):  # the caller's loop is closed
                caller.call_soon_threadsafe(end, error)

        worker = threading.Thread(target=thread, name="mailslot-webhooks", daemon=True)
        switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(min(switch_interval, SWITCH_INTERVAL))
        worker.start()
        try:
            await ended
        finally:
            sys.setswitchinterval(switch_interval)
            stop.set()
            for loop, task in running:
                with contextlib.suppress(RuntimeError):  # its loop has ended already
                    loop.call_soon_threadsafe(task.cancel)
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(worker.join)

    async def run_own_pool(self) -> None:
        """`run` over a database pool of its own."""
        own = make_engine(self._settings.model_copy(update={"db_pool_size": POOL}))
        metrics.watch(own)  # its connections count among the process's
        try:
            self._sessions = make_session_factory(own, self.session_info())
            await self.run()
        finally:
            await own.dispose()

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._thread = threading.get_ident()
        try:
            async with anyio.create_task_group() as group:
                group.start_soon(self._record_forever)
                while True:
                    await self._round(group)
        finally:
            with anyio.CancelScope(shield=True), anyio.move_on_after(2):
                # Claims not yet attempted go back at once rather than after their lease
                # (those cut short mid-attempt wait out theirs).
                waiting = [job.claim for queue in self._queues.values() for job in queue]
                self._queues.clear()
                if waiting:
                    await self._release(waiting)
            with anyio.CancelScope(shield=True):
                for client in self._clients.values():
                    await client.http.close()
                self._clients.clear()

    async def _round(self, group: TaskGroup) -> None:
        settings = self._settings
        # Hold up to twice what may run at once, so that a slot freed finds the next
        # attempt at hand; claim when at least a quarter of that is free.
        room = 2 * settings.webhook_concurrency - self._held_total
        claimed = 0
        if self._claim_wanted and self.subscribed and room >= settings.webhook_concurrency // 2:
            await self._gather()
            self._claim_wanted = False
            # From its start: a claim under load took 33 ms (p50), and counted from its
            # end, the gather made claims 83 ms apart, not 50.
            self._claimed_at = time.monotonic()
            claimed = await self._claim(room)
        self._start_ready(group)
        if claimed and claimed >= room:
            self._claim_wanted = True
            return  # more may be due
        self._close_idle_clients()
        timeout = settings.webhook_poll_interval
        if self._next_due is not None:
            timeout = max(min(timeout, self._next_due - time.monotonic()), 0.0)
        woken = await self._wait(timeout)
        if self._next_due is not None and self._next_due <= time.monotonic():
            self._next_due = None
        if not woken:
            self._claim_wanted = True
        # Also while commits keep waking it: else a worker that started subscribed would
        # claim after every send long after the last endpoint went (a transaction each).
        if not woken or time.monotonic() - self._checked >= settings.webhook_poll_interval:
            await self._refresh_subscribed()

    async def _gather(self) -> None:
        """Let a claim that follows the last by less than `webhook_gather` wait out the
        rest: under a stream of sends each commit's wake-up found one or two events, and
        an event claimed alone cost 2.4 ms of CPU against 0.7 gathered for 50 ms
        (`python -m bench.drain --live`). A claim after a quiet spell, or while more is due
        than the last could take (a backlog), goes at once."""
        wait = self._claimed_at + self._settings.webhook_gather - time.monotonic()
        if wait > 0 and not self._more_due:
            await asyncio.sleep(wait)

    async def _wait(self, seconds: float) -> bool:
        """Wait for a wake-up, at most `seconds`; whether one came. A timer on the
        loop, not a cancel scope: the round waits once per claim, and a scope's set-up
        cost more than the claim's bookkeeping."""
        timer = None
        if not self._wakeup.is_set():
            timer = asyncio.get_running_loop().call_later(seconds, self._time_up)
            self._timed_out = False
            try:
                await self._wakeup.wait()
            finally:
                timer.cancel()
        self._wakeup.clear()
        return timer is None or not self._timed_out

    def _time_up(self) -> None:
        self._timed_out = True
        self._wakeup.set()

    async def _refresh_subscribed(self) -> None:
        self._checked = time.monotonic()
        wakes = self._wakes
        try:
            async with self._sessions() as db:
                subscribed = await delivery.any_endpoint(db)
        except (SQLAlchemyError, OSError):
            subscribed = True
        if wakes == self._wakes:  # else a wake-up during the read knows better
            self.subscribed = subscribed

    async def _claim(self, limit: int) -> int:
        """Claim what is due into the endpoints' queues; how many were claimed."""
        # An endpoint holds at most HOLD (or HOLD_FAST) x its connections; a claim takes
        # at most half of that, so one that holds more than half is left out.
        busy = [id_ for id_, held in self._held.items() if held > self._share(id_)]
        fast = [id_ for id_ in self._latency if self._quick(id_)]
        started = time.perf_counter()
        try:
            async with self._sessions() as db:
                claimed = await delivery.claim(
                    db,
                    now=utcnow(),
                    lease=self._settings.webhook_lease,
                    limit=limit,
                    per_endpoint=self._claim_size(quick=False),
                    busy=busy,
                    fast=fast,
                    per_fast_endpoint=self._claim_size(quick=True),
                )
                claims, events, endpoints = claimed.claims, claimed.events, claimed.endpoints
                if not claims:
                    await db.commit()
                    self._more_due = bool(busy)  # what was left out may have more
                    metrics.job_succeeded("webhooks", started)
                    return 0
                # Rendered in the claim's transaction: one BEGIN and COMMIT serve both.
                # An event that cannot be rendered is not sent: its claim runs out
                # (payloads.render).
                unrendered = [event for event in events.values() if event.data is None]
                if unrendered:
                    await payloads.render(db, unrendered)
                await db.commit()
        except (SQLAlchemyError, OSError) as error:
            # The database is away: nothing was claimed, or the claims wait out their lease.
            log.warning("webhook deliveries not claimed: %s", error)
            metrics.job_failed("webhooks", started)
            return 0
        metrics.job_succeeded("webhooks", started)
        taken: dict[int, int] = {}
        for held in claims:
            taken[held.endpoint_id] = taken.get(held.endpoint_id, 0) + 1
        self._more_due = (
            bool(busy)
            or len(claims) >= limit
            or any(count >= self._share(id_) for id_, count in taken.items())
        )
        for held in claims:
            job = _Job(held, events.get(held.event_id), endpoints.get(held.endpoint_id))
            self._queues.setdefault(held.endpoint_id, deque()).append(job)
            self._held[held.endpoint_id] = self._held.get(held.endpoint_id, 0) + 1
            self._held_total += 1
        return len(claims)

    def _start_ready(self, group: TaskGroup) -> None:
        """Start lanes for queued attempts while their endpoints have a connection free:
        up to one a queued attempt."""
        connections = self._settings.webhook_connections
        concurrency = self._settings.webhook_concurrency
        self._lane_wanted = False
        for endpoint_id, queue in self._queues.items():
            while self._lanes.get(endpoint_id, 0) < min(connections, len(queue)):
                if self._running >= concurrency:
                    self._lane_wanted = True
                    return
                self._lanes[endpoint_id] = self._lanes.get(endpoint_id, 0) + 1
                self._running += 1
                group.start_soon(self._lane, endpoint_id)

    async def _lane(self, endpoint_id: int) -> None:
        """Attempt the endpoint's queued deliveries one after another, until its queue is
        empty or another endpoint waits for a lane (then the round starts lanes afresh)."""
        try:
            while not self._lane_wanted:
                queue = self._queues.get(endpoint_id)
                if not queue:
                    break
                job = queue.popleft()
                if not queue:
                    del self._queues[endpoint_id]
                await self._deliver(job)
        finally:
            self._running -= 1
            _count_down(self._lanes, endpoint_id)
            self._wakeup.set()  # its endpoint's queue or another's may want a lane

    async def _release(self, claims: Sequence[Claim]) -> None:
        try:
            async with self._sessions() as db:
                await delivery.release(db, claims)
                await db.commit()
        except (SQLAlchemyError, OSError) as error:
            log.warning("webhook claims not released (they run out): %s", error)

    async def _deliver(self, job: _Job) -> None:
        """Attempt one claimed delivery and queue its outcome for recording (the lane
        goes on to the next while it is written)."""
        held, event, endpoint = job
        outcome = None
        try:
            if event is None or event.data is None or endpoint is None:
                return  # deleted since the claim, or not rendered (logged)
            outcome = await self.attempt(held, event, endpoint)
        except Exception:
            log.exception("webhook delivery %s failed unexpectedly", held.id)
            return
        finally:
            self._finished(held.endpoint_id)
        if outcome is None:  # too little of the lease left: someone else's, at once
            await self._release([held])
            return
        self._note_latency(held.endpoint_id, outcome)
        self._outcomes.append((job, outcome))
        self._outcomes_ready.set()

    def _finished(self, endpoint_id: int) -> None:
        """An attempt is over: its endpoint holds one claim less."""
        self._held_total -= 1
        left = _count_down(self._held, endpoint_id)
        if self._more_due and not self._claim_wanted and left <= self._share(endpoint_id):
            self._claim_wanted = True  # no longer left out of claims, and more is due
            self._wakeup.set()

    def _share(self, endpoint_id: int) -> int:
        """Half of what the endpoint may hold here: what one claim takes of it at most."""
        return self._claim_size(quick=self._quick(endpoint_id))

    def _claim_size(self, *, quick: bool) -> int:
        return self._settings.webhook_connections * (HOLD_FAST if quick else HOLD) // 2

    def _quick(self, endpoint_id: int) -> bool:
        """Whether the endpoint's attempts here average under FAST_SECONDS (unknown: no)."""
        return self._latency.get(endpoint_id, FAST_SECONDS) < FAST_SECONDS

    def _note_latency(self, endpoint_id: int, outcome: Outcome) -> None:
        seconds = outcome.latency_ms / 1000
        before = self._latency.get(endpoint_id)
        self._latency[endpoint_id] = seconds if before is None else 0.8 * before + 0.2 * seconds

    async def _record_forever(self) -> None:
        """Write the outcomes that are ready, all in one transaction, again and again."""
        while True:
            await self._outcomes_ready.wait()
            # The outcomes that follow within RECORD_LINGER join this transaction: one
            # commit for many (the attempts are over; only their log and retries wait).
            await anyio.sleep(RECORD_LINGER)
            self._outcomes_ready.clear()
            batch, self._outcomes = self._outcomes, []
            if not batch:
                continue
            try:
                async with self._sessions() as db:
                    written = await delivery.record_many(
                        db,
                        [
                            delivery.Attempted(
                                job.claim,
                                outcome,
                                failing=job.endpoint is not None
                                and job.endpoint.failing_since is not None,
                            )
                            for job, outcome in batch
                        ],
                        settings=self._settings,
                        now=utcnow(),
                    )
                    await db.commit()
            except (SQLAlchemyError, OSError) as error:
                # Their claims run out, and they are attempted again (at least once).
                log.warning("%d webhook outcomes not recorded: %s", len(batch), error)
                continue
            except Exception:
                log.exception("%d webhook outcomes not recorded", len(batch))
                continue
            for (job, outcome), ok in zip(batch, written, strict=True):
                if not ok:
                    log.warning(
                        "webhook delivery %s: its lease ran out; not recorded", job.claim.id
                    )
                elif not outcome.succeeded:
                    self._schedule_wake(job.claim)

    def _schedule_wake(self, held: Claim) -> None:
        schedule = self._settings.webhook_retry_schedule
        if held.attempts + 1 >= len(schedule):
            return
        # The earliest the retry may be due (jitter draws at most 10% below the step).
        due = time.monotonic() + schedule[held.attempts + 1] * (1 - delivery.JITTER)
        if self._next_due is None or due < self._next_due:
            self._next_due = due

    # -- one attempt --------------------------------------------------------------------

    async def attempt(
        self, held: Claim, event: WebhookEvent, endpoint: WebhookEndpoint
    ) -> Outcome | None:
        """POST the event to the endpoint once, ending before its lease does; None when a
        claim that waited in its endpoint's queue has too little of its lease left for a
        whole attempt (it is given back, and attempted with a fresh lease)."""
        settings = self._settings
        started_at = utcnow()
        margin = min(5.0, settings.webhook_lease * 0.25)  # to record the outcome
        budget = (held.token - started_at).total_seconds() - margin
        whole = min(settings.webhook_timeout, settings.webhook_lease - margin)
        if budget < 0.8 * whole:
            return None
        timeout = min(settings.webhook_timeout, budget)
        start = time.monotonic()
        payload = payloads.body(event)
        secrets = endpoints.signing_secrets(endpoint, started_at)
        headers = signing.headers(secrets, event.id, int(time.time()), payload)
        headers["content-type"] = "application/json"

        def done(**fields: Any) -> Outcome:
            latency = math.ceil((time.monotonic() - start) * 1000)
            return Outcome(started_at=started_at, latency_ms=latency, **fields)

        try:
            target, url = await self._target(endpoint.url)
            client = self._client(endpoint.id, target)
            async with client.post(
                url,
                data=payload,
                headers=headers,
                allow_redirects=False,
                # From the connection (its address resolved and checked) to the body's end.
                timeout=aiohttp.ClientTimeout(total=timeout),
            ) as response:
                received = await _read_at_most(response.content, MAX_RESPONSE_BYTES)
        except WebhookUrlRefused as refused:
            return done(error=refused.detail[: delivery.ERROR_CHARS])
        except TimeoutError:
            return done(error=f"No answer within {timeout:g} s.")
        except aiohttp.ClientError as error:
            return done(error=_describe(error)[: delivery.ERROR_CHARS])
        snippet = received.decode("utf-8", errors="replace")[: delivery.SNIPPET_CHARS]
        refusal = None
        if 300 <= response.status < 400 and "location" in response.headers:
            location = response.headers["location"]
            refusal = f"Redirects are not followed (Location: {location})."
        return done(
            status_code=response.status,
            response=snippet,
            error=refusal and refusal[: delivery.ERROR_CHARS],
            retry_after=delivery.parse_retry_after(
                response.headers.get("retry-after"), now=utcnow()
            ),
        )

    def _client(self, endpoint_id: int, target: targets.Target) -> aiohttp.ClientSession:
        key = (endpoint_id, target.scheme, target.host, target.port)
        client = self._clients.get(key)
        if client is None:
            connector = aiohttp.TCPConnector(
                limit=self._settings.webhook_connections,
                # Every new connection asks the resolver, which checks what it finds.
                use_dns_cache=False,
                resolver=targets.PinnedResolver(
                    target, allow_private=self._settings.webhook_allow_private
                ),
                ssl=self._verify,
            )
            client = self._clients[key] = _Client(
                aiohttp.ClientSession(
                    connector=connector,
                    headers={"user-agent": USER_AGENT},
                    # The body as it comes (the log keeps a snippet): none is decompressed.
                    skip_auto_headers=("accept-encoding",),
                    auto_decompress=False,
                    timeout=aiohttp.ClientTimeout(total=self._settings.webhook_timeout),
                    trust_env=False,  # a proxy from the environment would bypass the check
                ),
                time.monotonic(),
            )
        client.used = time.monotonic()
        return client.http

    async def _target(self, url: str) -> tuple[targets.Target, yarl.URL]:
        found = self._targets.get(url)
        if found is None:
            # Raises for a bad URL or a refused IP literal: nothing is kept then.
            target = await targets.parse_checked(
                url, allow_private=self._settings.webhook_allow_private
            )
            found = self._targets[url] = (target, yarl.URL(url, encoded=True))
        return found

    def _close_idle_clients(self) -> None:
        now = time.monotonic()
        for key, client in list(self._clients.items()):
            if now - client.used > CLIENT_IDLE and key[0] not in self._held:
                del self._clients[key]
                self._latency.pop(key[0], None)
                asyncio.get_running_loop().create_task(client.http.close())
                # What was parsed for it goes too (a URL changed or left since is not kept).
                self._targets.clear()


class _WakingPublisher:
    def __init__(self, publisher: Publisher, worker: Worker) -> None:
        self._publisher = publisher
        self._worker = worker

    def publish(self, events: Sequence[Event]) -> None:
        self._publisher.publish(events)
        if self._worker.subscribed and any(not event.is_signal for event in events):
            self._worker.nudge()


def _count_down(counts: dict[int, int], key: int) -> int:
    """One less of `key` in `counts` (gone at none); how many are left."""
    left = counts.get(key, 1) - 1
    if left > 0:
        counts[key] = left
    else:
        counts.pop(key, None)
    return left


async def _read_at_most(content: aiohttp.StreamReader, limit: int) -> bytes:
    received = bytearray()
    while len(received) < limit:
        chunk = await content.read(limit - len(received))
        if not chunk:
            break
        received += chunk
    return bytes(received)


def _describe(error: aiohttp.ClientError) -> str:
    kinds: list[tuple[type[aiohttp.ClientError], str]] = [
        (aiohttp.ClientConnectorError, "Could not connect"),
        (aiohttp.ServerDisconnectedError, "The connection closed before the answer"),
        (aiohttp.ClientResponseError, "The answer broke the HTTP protocol"),
        (aiohttp.ClientPayloadError, "The answer's body broke off"),
    ]
    kind = next((name for cls, name in kinds if isinstance(error, cls)), type(error).__name__)
    return f"{kind}: {error}" if str(error) else kind


def _after_commit(session: Session) -> None:
    if session.info.pop(outbox.QUEUED, False):
        wake: Callable[[], None] | None = session.info.get(_WAKE)
        if wake is not None:
            wake()


def _after_rollback(session: Session) -> None:
    session.info.pop(outbox.QUEUED, None)


def _listen_once() -> None:
    if not sa_event.contains(Session, "after_commit", _after_commit):
        sa_event.listen(Session, "after_commit", _after_commit)
        sa_event.listen(Session, "after_rollback", _after_rollback)
