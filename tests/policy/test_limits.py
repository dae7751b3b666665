"""Budgets against abuse (issue 22, part 5): per pair of users, per new account, per
conversation started; each a 429 with Retry-After, shared by instances over Redis. The
suite's app runs with MAILSLOT_RATE_LIMITS=off: these tests start instances with them on
and small budgets."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from mailslot.budgets import Budget
from mailslot.config import Settings
from mailslot.ratelimit import Limiter, MemoryLimiter, RedisLimiter
from tests.policy.conftest import age, instance, member, write
from tests.support.factories import TestKey
from tests.support.problems import problem

pytestmark = pytest.mark.anyio
HOUR = 3600


@asynccontextmanager
async def limited(
    settings: Settings, **overrides: Any
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """An instance with the rate limits on, budgets (`limit_*`) written as settings are."""
    parsed = {
        name: Budget.parse(value) if name.startswith("limit_") else value
        for name, value in overrides.items()
    }
    async with instance(settings, rate_limits="on", **parsed) as pair:
        yield pair


def spent(response: httpx.Response, within: int = HOUR) -> int:
    """The Retry-After of a 429 rate_limited, checked to be whole seconds up to `within`."""
    problem(response, 429, "rate_limited")
    seconds = int(response.headers["Retry-After"])
    assert 1 <= seconds <= within
    return seconds


async def test_one_sender_to_one_receiver_has_its_own_budget(
    settings, key: TestKey, dialect
) -> None:
    async with limited(settings, limit_send_pair="2, 1/h") as (_, client):
        sender, _ = await member(client, key)
        receiver, _ = await member(client, key)
        other, _ = await member(client, key)
        for _ in range(2):
            assert (await write(client, sender, receiver)).status_code == 201
        assert spent(await write(client, sender, receiver)) > HOUR - 60
        assert (await write(client, sender, other)).status_code == 201
        assert (await write(client, receiver, sender)).status_code == 201
        # All or nothing: a receiver over budget holds back the message to every one.
        spent(await write(client, sender, other, receiver))


async def test_a_new_account_sends_on_a_budget_of_its_own(settings, key: TestKey, dialect) -> None:
    async with limited(settings, limit_send_new_account="2, 1/h", new_account_hours=24) as (
        app,
        client,
    ):
        newcomer, _ = await member(client, key)
        settled, _ = await member(client, key)
        await age(app, settled.username, 2)
        receivers = [(await member(client, key))[0] for _ in range(3)]
        for receiver in receivers[:2]:
            assert (await write(client, newcomer, receiver)).status_code == 201
        spent(await write(client, newcomer, receivers[2]))
        for receiver in receivers:
            assert (await write(client, settled, receiver)).status_code == 201


async def test_first_contacts_are_budgeted_and_replies_are_not(
    settings, key: TestKey, dialect
) -> None:
    async with limited(settings, limit_first_contact="2, 1/h") as (_, client):
        sender, _ = await member(client, key)
        first, second, third = [(await member(client, key))[0] for _ in range(3)]
        started = await write(client, sender, first)
        assert started.status_code == 201
        assert (await write(client, sender, second)).status_code == 201
        spent(await write(client, sender, third))
        # Answering is not contacting: back and forth in a thread spends nothing.
        answer = await write(client, first, reply_to=started.json()["id"])
        assert answer.status_code == 201, answer.text
        assert (await write(client, sender, reply_to=answer.json()["id"])).status_code == 201
        # Nor is the same receiver a first contact again, but a new conversation is.
        spent(await write(client, sender, first))

    async with limited(settings, limit_first_contact="2, 1/h") as (_, client):
        sender, _ = await member(client, key)
        many = [(await member(client, key))[0] for _ in range(3)]
        body = problem(await write(client, sender, *many), 422, "validation_failed")
        assert "at most 2" in body["detail"]
        assert (await write(client, sender, *many[:2])).status_code == 201  # exactly the burst


async def test_the_budgets_hold_across_instances_over_redis(
    settings, key: TestKey, redis_url, redis_prefix, dialect
) -> None:
    shared = {"redis_url": redis_url, "redis_prefix": redis_prefix, "limit_send_pair": "1, 1/h"}
    async with limited(settings, **shared) as (_, one), limited(settings, **shared) as (_, two):
        sender, _ = await member(one, key)
        receiver, _ = await member(one, key)
        assert (await write(one, sender, receiver)).status_code == 201
        spent(await write(two, sender, receiver))


async def test_a_spend_of_several_costs_as_many_events(redis_url, redis_prefix) -> None:
    """Budget.times: a send to n strangers spends n first contacts at once, exactly the
    burst fits (whatever rounding Redis's milliseconds bring), and one more does not."""
    budget = Budget.parse("20, 60/h")
    limiters: list[Limiter] = [
        MemoryLimiter(clock=lambda: 1000.0),
        RedisLimiter(redis_url, prefix=redis_prefix),
    ]
    for limiter in limiters:
        try:
            for cost in (3, 7, 10):
                assert await limiter.take([("first:1", budget.times(cost))]) == 0
            wait = await limiter.take([("first:1", budget.times(1))])
            assert 0 < wait <= 60.5
            assert await limiter.take([("first:2", budget.times(21))]) > 0
        finally:
            await limiter.close()
