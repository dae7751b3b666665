"""A Jepsen-style history for fault tests: an open-loop send load whose every operation
is recorded as ok (201), fail (definitely not done) or info (unknown: the reply was lost),
then a final read of everything and the `set` check (jepsen `checker/set`)."""

from __future__ import annotations

import itertools
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import anyio
import httpx

from tests.support.factories import PASSWORD, unique_name

OK, FAIL, INFO = "ok", "fail", "info"


@dataclass
class Op:
    nonce: str
    target: str
    started: float
    ended: float = 0.0
    outcome: str = INFO
    status: int | None = None
    retry_after: str | None = None
    error: str | None = None
    # With retries: what each attempt before the last met (a status or an error's name).
    earlier: list[str] = field(default_factory=list)


@dataclass
class Verdict:
    attempted: int
    acknowledged: int
    lost: list[str]
    unexpected: list[str]
    duplicated: list[str]
    stored_failures: list[str]  # answered as failed, yet stored
    recovered: int  # unknown sends found stored
    unknown: int

    @property
    def valid(self) -> bool:
        return not (self.lost or self.unexpected or self.duplicated or self.stored_failures)

    def __str__(self) -> str:
        return (
            f"attempted {self.attempted}, acknowledged {self.acknowledged}, "
            f"lost {len(self.lost)}, unexpected {len(self.unexpected)}, "
            f"duplicated {len(self.duplicated)}, failed yet stored {len(self.stored_failures)}, "
            f"unknown {self.unknown} "
            f"(of which stored {self.recovered})"
        )


@dataclass
class Account:
    username: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def register(base: str, name: str | None = None) -> Account:
    name = name or unique_name("fault")
    created = httpx.post(
        f"{base}/users",
        json={"username": name, "email": f"{name}@example.com", "password": PASSWORD},
        timeout=10,
    )
    assert created.status_code == 201, created.text
    token = httpx.post(f"{base}/users/{name}/token", json={"password": PASSWORD}, timeout=10)
    assert token.status_code == 200, token.text
    return Account(name, token.json()["access_token"])


@dataclass
class SendLoad:
    """Sends from `senders` to `sink` at `rate` a second, spread over `targets()` (the
    base URLs up at the moment), until stopped. Each subject is a unique nonce. `keyed`:
    each send carries an Idempotency-Key and, as a careful client does, is tried again with
    it (up to `retries` times) while its outcome is unknown or failed for want of a server."""

    targets: Callable[[], list[str]]
    senders: list[Account]
    sink: Account
    rate: float
    timeout: float = 10.0
    keyed: bool = False
    retries: int = 0
    history: list[Op] = field(default_factory=list)

    async def run(self, stop: anyio.Event) -> None:
        counter = itertools.count()
        limits = httpx.Limits(max_connections=64, max_keepalive_connections=32)
        async with (
            httpx.AsyncClient(timeout=self.timeout, limits=limits) as client,
            anyio.create_task_group() as group,
        ):
            next_at = time.monotonic()
            while not stop.is_set():
                i = next(counter)
                group.start_soon(self._send, client, i)
                next_at += 1 / self.rate
                await anyio.sleep(max(0.0, next_at - time.monotonic()))

    async def _send(self, client: httpx.AsyncClient, i: int) -> None:
        targets = self.targets()
        sender = self.senders[i % len(self.senders)]
        op = Op(nonce=f"n{i}", target=targets[i % len(targets)], started=time.monotonic())
        self.history.append(op)
        headers = dict(sender.headers)
        if self.keyed:
            headers["Idempotency-Key"] = f"key-{op.nonce}"
        for attempt in range(self.retries + 1):
            if attempt:
                op.earlier.append(str(op.status or op.error))
                op.status = op.error = None
                await anyio.sleep(0.2 * attempt)
            await self._attempt(client, op, sender, headers)
            if op.outcome == OK or (op.status is not None and op.status < 500 and op.status != 409):
                break  # done, or refused for good (409: the key's first attempt still runs)
        op.ended = time.monotonic()

    async def _attempt(
        self, client: httpx.AsyncClient, op: Op, sender: Account, headers: dict[str, str]
    ) -> None:
        try:
            response = await client.post(
                f"{op.target}/users/{sender.username}/messages",
                json={"receiver": self.sink.username, "subject": op.nonce, "message": "fault"},
                headers=headers,
            )
        except httpx.ConnectError as exc:  # never reached a server: definitely not done
            op.outcome, op.error = FAIL, type(exc).__name__
        except httpx.TransportError as exc:  # sent, reply lost: unknown
            op.outcome, op.error = INFO, type(exc).__name__
        else:
            op.status = response.status_code
            op.retry_after = response.headers.get("retry-after")
            if response.status_code == 201:
                op.outcome = OK
            elif response.status_code >= 500:
                op.outcome = INFO  # a 503 may come after a commit whose reply was lost
            else:
                op.outcome = FAIL


def read_everything(base: str, account: Account) -> list[str]:
    """Every subject in the account's inbox, following cursors to the end."""
    subjects: list[str] = []
    cursor: str | None = None
    with httpx.Client(base_url=base, headers=account.headers, timeout=30) as client:
        while True:
            params: dict[str, str | int] = {"per_page": 100}
            if cursor:
                params["cursor"] = cursor
            page = client.get(f"/users/{account.username}/messages", params=params)
            assert page.status_code == 200, page.text
            body = page.json()
            subjects += [message["subject"] for message in body["messages"]]
            cursor = body["next_cursor"]
            if cursor is None:
                return subjects


def check(history: list[Op], stored: list[str]) -> Verdict:
    """jepsen `checker/set`: acknowledged adds must all be read, nothing never attempted
    may be read; we add: nothing read twice."""
    attempted = {op.nonce for op in history}
    acknowledged = {op.nonce for op in history if op.outcome == OK}
    unknown = {op.nonce for op in history if op.outcome == INFO}
    failed = {op.nonce for op in history if op.outcome == FAIL}
    counts = Counter(stored)
    present = set(counts)
    return Verdict(
        attempted=len(attempted),
        acknowledged=len(acknowledged),
        lost=sorted(acknowledged - present),
        unexpected=sorted(present - attempted),
        duplicated=sorted(nonce for nonce, n in counts.items() if n > 1),
        stored_failures=sorted(failed & present),
        recovered=len(unknown & present),
        unknown=len(unknown),
    )
