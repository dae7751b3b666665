"""Concurrent mutations of one message and its deliveries, driven over HTTP: storms that
assert the final state and that nothing answers 5xx. The races matter on PostgreSQL (row
locks, READ COMMITTED); on SQLite writers take turns, and the same storms must hold.

Each request of a `gather` runs in its own task with its own pooled connection, so the
statements of the two sides interleave at the database.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from tests.compat.seed_a import make_seed_a_user, native_headers, seed_a
from tests.support.factories import TestUser, ids, listing, make_user, send

# Hundreds of requests per test: seconds on a loaded machine, and on code that deadlocks
# each deadlock costs PostgreSQL's deadlock_timeout (1 s) before it is detected.
pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]

# Failed before the fix, on PostgreSQL: restore vs delete for everyone 21-23 of 25
# iterations; the storm 12 of 12 rounds (500, deadlock detected); read vs delete 11-14 of
# 100; seed A's delete 4 of 25, 7 of 50.
ITERATIONS = 25
ROUNDS = 12
READS = 100
SEED_A_ITERATIONS = 50


def url(user: TestUser, message_id: int | None = None, action: str = "") -> str:
    path = f"/users/{user.username}/messages"
    return path if message_id is None else f"{path}/{message_id}{action}"


async def whole_box(client: httpx.AsyncClient, user: TestUser, **params: Any) -> list[int]:
    return ids((await listing(client, user, per_page=100, **params))["messages"])


async def unread_count(client: httpx.AsyncClient, user: TestUser) -> int:
    response = await client.get(f"/users/{user.username}/unread", headers=user.headers)
    assert response.status_code == 200, response.text
    count: int = response.json()["unread"]
    return count


async def gone_for(client: httpx.AsyncClient, user: TestUser, message_id: int) -> list[str]:
    """Where `user` can still see a message that must be gone: [] when nowhere."""
    seen = []
    for box in ("inbox", "trash", "sent"):
        if message_id in await whole_box(client, user, box=box):
            seen.append(box)
    read = await client.get(
        url(user, message_id), params={"mark_read": "false"}, headers=user.headers
    )
    if read.status_code != 404:
        seen.append(f"GET {read.status_code}")
    return seen


async def consistent_unread(client: httpx.AsyncClient, user: TestUser) -> list[str]:
    """The unread count, the unread listing and the read flags of the inbox agree."""
    count = await unread_count(client, user)
    unread = await whole_box(client, user, unread="true")
    inbox = (await listing(client, user, per_page=100))["messages"]
    flagged = [message["id"] for message in inbox if not message["read"]]
    if count == len(unread) and sorted(unread) == sorted(flagged):
        return []
    return [f"unread count {count}, unread listed {unread}, unread flagged {flagged}"]


async def test_a_delete_for_everyone_wins_over_a_concurrent_restore(client, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    failed = []
    for iteration in range(ITERATIONS):
        sent = await send(client, alice, bob)
        trashed = await client.delete(url(bob, sent["id"]), headers=bob.headers)
        assert trashed.status_code == 204
        deleted, restored = await asyncio.gather(
            client.delete(url(alice, sent["id"]), headers=alice.headers),
            client.post(url(bob, sent["id"], "/restore"), headers=bob.headers),
        )
        problems = [
            f"{name} {response.status_code}"
            for name, response, expected in (
                ("delete", deleted, {204}),
                ("restore", restored, {200, 404}),
            )
            if response.status_code not in expected
        ]
        problems += await gone_for(client, bob, sent["id"])
        problems += await gone_for(client, alice, sent["id"])
        problems += await consistent_unread(client, bob)
        if problems:
            failed.append((iteration, problems))
    assert not failed, f"{len(failed)} of {ITERATIONS} iterations failed: {failed}"


async def test_marks_deletes_restores_and_reads_of_one_inbox_never_deadlock(
    client, dialect
) -> None:
    """Single and bulk marks, reads (which mark read), the receiver's delete, restore and
    delete for good, and the sender's delete for everyone, all at once on one inbox."""
    alice, bob = await make_user(client), await make_user(client)
    failed = []
    for iteration in range(ROUNDS):
        m = [(await send(client, alice, bob))["id"] for _ in range(6)]
        await client.delete(url(bob, m[4]), headers=bob.headers)  # in the trash
        requests = [
            client.patch(url(bob, m[0]), json={"read": True}, headers=bob.headers),
            client.patch(url(bob, m[1]), json={"read": True}, headers=bob.headers),
            client.patch(url(bob), json={"all": True, "read": True}, headers=bob.headers),
            client.patch(url(bob), json={"ids": m, "read": False}, headers=bob.headers),
            client.patch(url(bob, m[2]), json={"read": False}, headers=bob.headers),
            client.get(url(bob, m[3]), headers=bob.headers),
            client.get(url(bob, m[0]), headers=bob.headers),
            client.delete(url(bob, m[1]), headers=bob.headers),
            client.post(url(bob, m[4], "/restore"), headers=bob.headers),
            client.delete(url(bob, m[5]), params={"permanent": "true"}, headers=bob.headers),
            client.delete(url(alice, m[0]), headers=alice.headers),
            client.delete(url(alice, m[3]), headers=alice.headers),
            client.delete(url(alice, m[4]), headers=alice.headers),
            client.patch(url(bob, m[3]), json={"read": True}, headers=bob.headers),
            client.patch(url(bob), json={"ids": m[::-1], "read": True}, headers=bob.headers),
        ]
        answers = await asyncio.gather(*requests)
        problems = [
            f"request {i}: {answer.status_code} {answer.text}"
            for i, answer in enumerate(answers)
            if answer.status_code not in (200, 204, 404)
        ]
        for deleted, answer in zip((m[0], m[3], m[4]), answers[10:13], strict=True):
            if answer.status_code != 204:
                problems.append(f"{deleted}: the sender's delete {answer.status_code}")
            problems += [f"{deleted}: {where}" for where in await gone_for(client, bob, deleted)]
        problems += await consistent_unread(client, bob)
        if problems:
            failed.append((iteration, problems))
    assert not failed, f"{len(failed)} of {ROUNDS} rounds failed: {failed}"


async def test_reading_while_the_sender_deletes_for_everyone(client, dialect) -> None:
    """A read (which marks read) either happens before the delete or finds nothing."""
    alice, bob = await make_user(client), await make_user(client)
    failed = []
    for iteration in range(READS):
        sent = await send(client, alice, bob)
        deleted, read = await asyncio.gather(
            client.delete(url(alice, sent["id"]), headers=alice.headers),
            client.get(url(bob, sent["id"]), headers=bob.headers),
        )
        problems = []
        if deleted.status_code != 204 or read.status_code not in (200, 404):
            problems.append(f"delete {deleted.status_code}, read {read.status_code}")
        problems += await gone_for(client, bob, sent["id"])
        problems += await consistent_unread(client, bob)
        if problems:
            failed.append((iteration, problems))
    assert not failed, f"{len(failed)} of {READS} iterations failed: {failed}"


async def test_seed_a_deletes_follow_the_same_order(client, dialect) -> None:
    """Seed A's delete for everyone (found by its fields) against the receiver's restore,
    single mark and seed A read (which marks the oldest unread message read)."""
    alice, bob = await make_seed_a_user(client), await make_seed_a_user(client)
    token = (await native_headers(client, bob))["Authorization"].removeprefix("Bearer ")
    bob_native = TestUser(bob.username, bob.password, token)  # the same account, natively
    delete = f"//message?{alice.credentials}&request=delete"
    failed = []
    for iteration in range(SEED_A_ITERATIONS):
        bodies = [alice.message(bob, subject=f"{iteration} {i}") for i in range(2)]
        written = [
            (await seed_a(client, "POST", f"//message?{alice.credentials}&request=write", b))
            for b in bodies
        ]
        trashed, kept = (w.json()["id"] for w in written)
        await client.delete(url(bob_native, trashed), headers=bob_native.headers)
        answers = await asyncio.gather(
            seed_a(client, "POST", delete, bodies[0]),
            client.post(url(bob_native, trashed, "/restore"), headers=bob_native.headers),
            seed_a(client, "POST", delete, bodies[1]),
            client.patch(url(bob_native, kept), json={"read": True}, headers=bob_native.headers),
            seed_a(client, "GET", f"//message?{bob.credentials}&request=read"),
        )
        problems = [
            f"request {i}: {answer.status_code} {answer.text}"
            for i, answer in enumerate(answers)
            if answer.status_code >= 500 or (i in (0, 2) and answer.status_code != 200)
        ]
        for message_id in (trashed, kept):
            problems += [
                f"{message_id}: {where}" for where in await gone_for(client, bob_native, message_id)
            ]
        problems += await consistent_unread(client, bob_native)
        if problems:
            failed.append((iteration, problems))
    assert not failed, f"{len(failed)} of {SEED_A_ITERATIONS} iterations failed: {failed}"
