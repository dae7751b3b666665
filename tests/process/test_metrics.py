"""/metrics under `mailslot serve --workers 2`, scraped and parsed as Prometheus does:
counts add up across the workers, a killed worker leaves the live gauges, no label holds
a username or an id, the allow-list and the separate port hold, and every metric the
example alert rules name is served (docs/monitoring.md, deploy/prometheus/alerts.yml)."""

from __future__ import annotations

import os
import platform
import re
import signal
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import yaml  # type: ignore[import-untyped]
from prometheus_client.metrics_core import Metric
from prometheus_client.parser import text_string_to_metric_families

from mailslot import __version__
from mailslot.db.migrate import upgrade
from tests.support.databases import create_postgres_database, drop_postgres_database, make_settings
from tests.support.factories import PASSWORD, unique_name
from tests.support.servers import MailslotServer, RedisServer, free_port

pytestmark = [pytest.mark.process, pytest.mark.anyio, pytest.mark.timeout(600)]

START_TIMEOUT = 300  # two workers importing and migrating on a loaded machine

ALERTS = Path(__file__).parents[2] / "deploy" / "prometheus" / "alerts.yml"
FORWARDED_ALLOWED = {"X-Forwarded-For": "10.1.2.3"}


@dataclass
class Scrape:
    """One parsed scrape: each sample's value by (name, sorted labels)."""

    families: list[Metric]
    values: dict[tuple[str, tuple[tuple[str, str], ...]], float]

    def value(self, name: str, **labels: str) -> float:
        return self.values.get((name, tuple(sorted(labels.items()))), 0.0)

    def total(self, name: str, **labels: str) -> float:
        """The sum over the samples of `name` whose labels include `labels`."""
        wanted = set(labels.items())
        return sum(v for (n, ls), v in self.values.items() if n == name and wanted <= set(ls))

    @property
    def sample_names(self) -> set[str]:
        return {name for name, _ in self.values}


def scrape(url: str, headers: dict[str, str] | None = None) -> Scrape:
    response = httpx.get(f"{url}/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    families = list(text_string_to_metric_families(response.text))
    values = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in families
        for sample in family.samples
    }
    return Scrape(families, values)


@dataclass
class Pinned:
    """An HTTP client on one kept-alive connection, so on one worker."""

    client: httpx.Client
    pid: int


@contextmanager
def pinned_clients(server: MailslotServer, workers: int = 2) -> Iterator[list[Pinned]]:
    """One client per worker: connections are opened until each worker holds one."""
    found: dict[int, httpx.Client] = {}
    spare: list[httpx.Client] = []
    for _ in range(60):
        client = httpx.Client(base_url=server.url, limits=httpx.Limits(max_connections=1))
        response = client.get("/readyz")
        _, port = response.extensions["network_stream"].get_extra_info("client_addr")
        pid = server.worker_serving(port)
        if pid is None or pid in found:
            spare.append(client)
        else:
            found[pid] = client
        if len(found) == workers:
            break
    for client in spare:
        client.close()
    try:
        assert len(found) == workers, f"connections reached only workers {sorted(found)}"
        yield [Pinned(client, pid) for pid, client in found.items()]
    finally:
        for client in found.values():
            client.close()


def make_user(client: httpx.Client) -> tuple[str, dict[str, str]]:
    name = unique_name("metrics")
    created = client.post(
        "/users", json={"username": name, "email": f"{name}@example.com", "password": PASSWORD}
    )
    assert created.status_code == 201, created.text
    token = client.post(f"/users/{name}/token", json={"password": PASSWORD})
    assert token.status_code == 200, token.text
    return name, {"Authorization": f"Bearer {token.json()['access_token']}"}


def send(client: httpx.Client, sender: tuple[str, dict[str, str]], receiver: str) -> int:
    name, headers = sender
    sent = client.post(
        f"/users/{name}/messages",
        json={"receiver": receiver, "subject": "metrics", "message": "counted"},
        headers=headers,
    )
    assert sent.status_code == 201, sent.text
    message_id: int = sent.json()["id"]
    return message_id


class RawStream:
    """An SSE stream on a socket of its own (its port tells the worker), read by hand."""

    def __init__(self, server: MailslotServer, user: tuple[str, dict[str, str]]) -> None:
        name, headers = user
        self.sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        self.port = self.sock.getsockname()[1]
        self.sock.sendall(
            f"GET /users/{name}/events HTTP/1.1\r\nHost: mailslot\r\n"
            f"Authorization: {headers['Authorization']}\r\nAccept: text/event-stream\r\n\r\n".encode()
        )
        self.buffer = b""
        self.read_until(b"retry:")  # the opening frame: subscribed

    def read_until(self, marker: bytes) -> None:
        while marker not in self.buffer:
            chunk = self.sock.recv(65536)
            assert chunk, f"the stream ended before {marker!r}: {self.buffer!r}"
            self.buffer += chunk

    def close(self) -> None:
        self.sock.close()


def open_streams_on(
    server: MailslotServer, user: tuple[str, dict[str, str]], pids: set[int]
) -> dict[int, list[RawStream]]:
    """Streams opened until each of `pids` holds at least one."""
    streams: dict[int, list[RawStream]] = {}
    for _ in range(60):
        stream = RawStream(server, user)
        pid = server.worker_serving(stream.port)
        assert pid is not None
        streams.setdefault(pid, []).append(stream)
        if pids <= streams.keys():
            return streams
    raise AssertionError(f"streams reached only workers {sorted(streams)}")


def wait_gone(pid: int) -> None:
    """Until the server has waited for its killed worker (no zombie left)."""
    deadline = time.monotonic() + 10
    while Path(f"/proc/{pid}").exists():
        assert time.monotonic() < deadline, f"worker {pid} is still there"
        time.sleep(0.05)


@contextmanager
def started(server: MailslotServer) -> Iterator[MailslotServer]:
    server.start(timeout=START_TIMEOUT)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MailslotServer]:
    env = {
        # The purge and the change-log pruner run at once, so their metrics are served.
        "MAILSLOT_PURGE_INTERVAL": "0.5",
        "MAILSLOT_CHANGE_RETENTION_DAYS": "30",
    }
    server = MailslotServer(tmp_path_factory.mktemp("metrics"), env=env, args=("--workers", "2"))
    with started(server):
        yield server


def test_counts_add_up_across_workers(server: MailslotServer) -> None:
    with pinned_clients(server) as (one, two):
        before = scrape(server.url)
        alice = make_user(one.client)
        bob, _ = make_user(two.client)
        for pinned, times in ((one, 3), (two, 5)):
            for _ in range(times):
                assert pinned.client.get("/healthz").status_code == 200
        for pinned, times in ((one, 2), (two, 4)):
            for _ in range(times):
                send(pinned.client, alice, bob)
        assert one.client.get("/users/nobody-here/messages").status_code == 401
        after = scrape(server.url)

        def delta(name: str, **labels: str) -> float:
            return after.value(name, **labels) - before.value(name, **labels)

        healthz = {"method": "GET", "route": "/healthz"}
        assert delta("mailslot_http_requests_total", **healthz, status="2xx") == 8
        assert delta("mailslot_http_request_duration_seconds_count", **healthz) == 8
        sends = {"method": "POST", "route": "/users/{username}/messages"}
        assert delta("mailslot_http_requests_total", **sends, status="2xx") == 6
        assert delta("mailslot_messages_sent_total") == 6
        lists = {"method": "GET", "route": "/users/{username}/messages"}
        assert delta("mailslot_http_requests_total", **lists, status="4xx") == 1
        # The only request in flight is the scrape itself, once the last answered one
        # has left (its gauge comes down just after its answer is sent).
        in_flight = after.value("mailslot_http_requests_in_flight")
        deadline = time.monotonic() + 10
        while in_flight > 1 and time.monotonic() < deadline:
            time.sleep(0.05)
            in_flight = scrape(server.url).value("mailslot_http_requests_in_flight")
        assert in_flight <= 1
        build = {"version": __version__, "python": platform.python_version()}
        assert after.value("mailslot_build_info", **build) == 1


def test_names_and_labels_follow_the_rules(server: MailslotServer) -> None:
    with pinned_clients(server) as (pinned, _other):
        user = make_user(pinned.client)
        receiver, _ = make_user(pinned.client)
        message_id = send(pinned.client, user, receiver)
        read = pinned.client.get(f"/users/{user[0]}/messages/{message_id}", headers=user[1])
        assert read.status_code == 200
        result = scrape(server.url)
        text = httpx.get(f"{server.url}/metrics").text
        assert user[0] not in text
        assert receiver not in text
        routes: set[str] = set()
        for family in result.families:
            assert family.name.startswith("mailslot_"), family.name
            if family.type == "counter":
                assert all(s.name.endswith(("_total", "_created")) for s in family.samples), (
                    family.name
                )
            else:
                assert not family.name.endswith("_total"), family.name
                assert not any(s.name.endswith("_total") for s in family.samples), family.name
            for sample in family.samples:
                routes.update(v for k, v in sample.labels.items() if k == "route")
                for key, value in sample.labels.items():
                    if key == "status":
                        assert re.fullmatch(r"[1-5]xx|none", value), value
                    elif key not in ("le", "version", "python"):
                        assert not re.search(r"\d", value), (family.name, key, value)
        assert "/users/{username}/messages/{message_id}" in routes
        assert all(route.startswith("/") or route == "unmatched" for route in routes), routes


def test_metrics_are_refused_to_addresses_not_allowed(server: MailslotServer) -> None:
    # The proxy (127.0.0.1, trusted by MAILSLOT_FORWARDED_ALLOW_IPS) says who asks.
    refused = httpx.get(f"{server.url}/metrics", headers={"X-Forwarded-For": "203.0.113.7"})
    assert refused.status_code == 404
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["code"] == "not_found"
    unknown = httpx.get(f"{server.url}/no-such-address")
    assert refused.json()["detail"] == unknown.json()["detail"]
    assert httpx.get(f"{server.url}/metrics").status_code == 200


def test_every_metric_the_alert_rules_name_is_served(server: MailslotServer) -> None:
    with pinned_clients(server) as (one, two):
        sender = make_user(one.client)
        receiver = make_user(one.client)
        streams = open_streams_on(server, receiver, {one.pid, two.pid})
        try:
            before = scrape(server.url)
            send(one.client, sender, receiver[0])  # committed on `one`'s worker
            for held in streams.values():
                for stream in held:
                    stream.read_until(b"event: message.created")
            after = scrape(server.url)
        finally:
            for held in streams.values():
                for stream in held:
                    stream.close()
        every = sum(len(held) for held in streams.values())
        delivered = "mailslot_live_events_delivered_total"
        assert after.total(delivered) - before.total(delivered) == every
        # Pushed live only where it was committed; the other worker reads it from the log.
        lag = "mailslot_live_delivery_lag_seconds_count"
        assert after.total(lag) - before.total(lag) == len(streams[one.pid])

        rules = yaml.safe_load(ALERTS.read_text())["groups"][0]["rules"]
        named = {name for rule in rules for name in re.findall(r"\bmailslot_\w+", rule["expr"])}
        assert named, "the rules name no metric"
        missing = named - after.sample_names
        assert not missing, f"alert rules name metrics that are not served: {sorted(missing)}"


def test_a_killed_workers_live_gauges_disappear(tmp_path: Path) -> None:
    env = {"MAILSLOT_METRICS_ALLOW": "10.0.0.0/8"}
    server = MailslotServer(tmp_path / "data", env=env, args=("--workers", "2"))
    with started(server), pinned_clients(server) as (one, two):
        user = make_user(one.client)
        streams = open_streams_on(server, user, {one.pid, two.pid})
        open_now = sum(len(held) for held in streams.values())
        sse = {"transport": "sse"}
        # Not allowed straight from 127.0.0.1; allowed from 10.1.2.3 through the proxy.
        assert httpx.get(f"{server.url}/metrics").status_code == 404
        assert (
            scrape(server.url, FORWARDED_ALLOWED).value("mailslot_live_connections", **sse)
            == open_now
        )

        os.kill(two.pid, signal.SIGKILL)
        wait_gone(two.pid)
        left = scrape(server.url, FORWARDED_ALLOWED)
        assert left.value("mailslot_live_connections", **sse) == len(streams[one.pid])
        # Counters keep what the dead worker counted.
        assert left.value("mailslot_live_connections_opened_total", **sse) == open_now
        for held in streams.values():
            for stream in held:
                stream.close()


def test_metrics_on_a_port_of_their_own(tmp_path: Path) -> None:
    port = free_port()
    env = {"MAILSLOT_METRICS_PORT": str(port)}
    server = MailslotServer(tmp_path / "data", env=env, args=("--workers", "2"))
    with started(server):
        assert httpx.get(f"{server.url}/metrics").status_code == 404  # not on the API's
        separate = f"http://127.0.0.1:{port}"
        before = scrape(separate)
        with pinned_clients(server) as pinned:
            for times, each in enumerate(pinned, start=2):
                for _ in range(times):
                    assert each.client.get("/healthz").status_code == 200
            after = scrape(separate)
    healthz = {"method": "GET", "route": "/healthz", "status": "2xx"}
    counted = after.value("mailslot_http_requests_total", **healthz)
    assert counted - before.value("mailslot_http_requests_total", **healthz) == 2 + 3


def scrape_until(url: str, holds: Callable[[Scrape], bool]) -> Scrape:
    """Scrapes until `holds` (the sampler and the subscriber move on their own time)."""
    deadline = time.monotonic() + 20
    while not holds(result := scrape(url)):
        assert time.monotonic() < deadline, "the metrics never got there"
        time.sleep(0.1)
    return result


async def test_redis_metrics_between_two_instances(tmp_path: Path) -> None:
    """Instances over PostgreSQL + Redis: a send through one is published to Redis and
    reaches a stream on the other, with its commit time; a lost Redis shows, and the
    reconnection counts."""
    database_url = await create_postgres_database()
    redis = RedisServer(tmp_path / "redis")
    try:
        await upgrade(make_settings(tmp_path, database_url))
        redis.start()
        env = {"MAILSLOT_DATABASE_URL": database_url, "MAILSLOT_REDIS_URL": redis.url}
        one = MailslotServer(tmp_path / "one", env=env)
        two = MailslotServer(tmp_path / "two", env=env)
        with started(one), started(two), httpx.Client(base_url=one.url) as client:
            sender, receiver = make_user(client), make_user(client)
            stream = RawStream(two, receiver)
            before = [scrape(one.url), scrape(two.url)]
            send(client, sender, receiver[0])
            stream.read_until(b"event: message.created")
            after = [scrape(one.url), scrape(two.url)]
            stream.close()

            def delta(name: str, server: int) -> float:
                return after[server].total(name) - before[server].total(name)

            # The receiver's event and the sender's own (its sent box); `two` subscribes
            # to the receiver's channel alone.
            assert delta("mailslot_redis_published_events_total", 0) == 2
            assert delta("mailslot_redis_receive_lag_seconds_count", 1) == 1
            assert delta("mailslot_live_delivery_lag_seconds_count", 1) == 1
            assert after[1].value("mailslot_redis_subscribed") == 1

            redis.stop()
            scrape_until(two.url, lambda s: s.value("mailslot_redis_subscribed") == 0)
            redis.start()
            back = scrape_until(two.url, lambda s: s.value("mailslot_redis_subscribed") == 1)
            reconnects = "mailslot_redis_reconnects_total"
            assert back.value(reconnects) - after[1].value(reconnects) == 1
    finally:
        redis.stop()
        await drop_postgres_database(database_url)
