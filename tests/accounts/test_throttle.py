"""Failed sign-in throttle, registration and send budgets: 429 with Retry-After, one
budget across doors, shared through Redis, and no lock-out of the real user."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from mailslot.accounts import service
from mailslot.accounts.throttle import SignInThrottle
from mailslot.app import create_app
from mailslot.budgets import Budget
from mailslot.config import Settings
from mailslot.errors import InvalidCredentials, TooManyRequests
from mailslot.ratelimit import MemoryLimiter, RedisLimiter
from mailslot.state import app_state
from tests.compat.seed_a import SeedAUser, make_seed_a_user, native_headers, seed_a
from tests.support.factories import PASSWORD, make_user, send, unique_name

pytestmark = pytest.mark.anyio

REDIS_URL = os.environ.get("MAILSLOT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
WRONG = "not the password"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@asynccontextmanager
async def running(settings: Settings, **overrides: Any) -> AsyncIterator[FastAPI]:
    app = create_app(settings.model_copy(update=overrides))
    async with LifespanManager(app):
        yield app


def client_from(app: FastAPI, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000), raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://mailslot.test")


def use_clock(app: FastAPI, clock: Callable[[], float]) -> None:
    """Swap the app's sign-in limiter for one on a clock the test moves."""
    throttle: SignInThrottle = app_state(app).passwords.throttle
    throttle.limiter = MemoryLimiter(clock)


async def sign_in(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await client.post(f"/users/{username}/token", json={"password": password})


# Budgets, pure


def test_budgets_parse_and_state_their_ceiling() -> None:
    budget = Budget.parse("10, 90/h")
    assert budget == Budget(burst=10, interval=40.0)
    assert budget.ceiling(3600) == 100
    assert Budget.parse("60,60/min") == Budget(burst=60, interval=1.0)
    assert Budget.parse("5, 1/30s").interval == 30.0
    for bad in ("", "10", "10, 0/h", "0, 1/h", "10, 5/fortnight", "ten, 5/h"):
        with pytest.raises(ValueError, match=r"budget|period|positive"):
            Budget.parse(bad)


def test_default_sign_in_budgets_keep_owasp_ceiling_and_room_for_others() -> None:
    settings = Settings()
    account = settings.limit_signin_account
    one_address = settings.limit_signin_address_account
    assert account.ceiling(3600) <= 100  # OWASP ASVS 4.0.3 V2.2.1
    # One address alone can never spend the account's budget: no lock-out from one place.
    assert one_address.ceiling(3600) < account.ceiling(3600)
    assert one_address.burst < account.burst
    # The embedding case: a host's backend registers users from one address.
    assert settings.limit_register_address.ceiling(60) >= 60


async def test_memory_buckets_spend_all_or_nothing_and_refill() -> None:
    clock = Clock()
    limiter = MemoryLimiter(clock)
    small, large = Budget(burst=2, interval=10), Budget(burst=5, interval=10)
    both = [("a", small), ("b", large)]
    assert await limiter.take(both) == 0
    assert await limiter.take(both) == 0
    assert await limiter.take(both) == pytest.approx(10)  # "a" is spent...
    assert await limiter.take([("b", large)]) == 0  # ...and "b" was not charged for it
    clock.now += 10
    assert await limiter.take(both) == 0
    await limiter.give(both)
    assert await limiter.take(both) == 0
    assert await limiter.take(both) > 0


# The sign-in throttle over HTTP


async def test_failed_sign_ins_get_429_with_retry_after(settings) -> None:
    async with running(settings) as app, client_from(app, "10.0.0.1") as client:
        user = await make_user(client)
        statuses = [(await sign_in(client, user.username, WRONG)).status_code for _ in range(6)]
        assert statuses == [401] * 5 + [429]
        throttled = await sign_in(client, user.username, WRONG)
        assert throttled.status_code == 429
        assert throttled.json()["code"] == "rate_limited"
        assert 1 <= int(throttled.headers["retry-after"]) <= 60
        assert throttled.headers["content-type"] == "application/problem+json"


async def test_an_attacker_on_one_address_does_not_lock_out_the_owner(settings) -> None:
    async with running(settings) as app:
        async with client_from(app, "10.0.0.66") as attacker:
            user = await make_user(attacker)
            for _ in range(50):
                await sign_in(attacker, user.username, WRONG)
            assert (await sign_in(attacker, user.username, PASSWORD)).status_code == 429
        async with client_from(app, "10.0.0.7") as owner:
            assert (await sign_in(owner, user.username, PASSWORD)).status_code == 200


async def test_an_hour_of_distributed_guessing_reaches_at_most_100_checks(settings) -> None:
    clock = Clock()
    async with running(settings) as app:
        use_clock(app, clock)
        async with client_from(app, "10.0.1.1") as client:
            user = await make_user(client)
        checked = throttled = 0
        for attempt in range(360):  # one guess every 10 s for an hour, each from a new address
            async with client_from(app, f"10.2.{attempt // 250}.{attempt % 250}") as client:
                status = (await sign_in(client, user.username, WRONG)).status_code
            checked += status == 401
            throttled += status == 429
            clock.now += 10
        assert checked + throttled == 360
        assert checked <= 100
        # The lock lasts no longer than the attack plus one refill (40 s).
        clock.now += 40
        async with client_from(app, "10.0.0.7") as owner:
            assert (await sign_in(owner, user.username, PASSWORD)).status_code == 200


async def test_unknown_and_known_users_are_throttled_alike(settings) -> None:
    async with running(settings) as app, client_from(app, "10.0.0.2") as client:
        known = (await make_user(client)).username
        unknown = unique_name()
        for name in (known, unknown):
            statuses = [(await sign_in(client, name, WRONG)).status_code for _ in range(6)]
            assert statuses == [401] * 5 + [429], name


async def test_native_and_form_sign_in_and_direct_checks_share_one_budget(settings) -> None:
    async with running(settings) as app, client_from(app, "10.0.0.3") as client:
        user = await make_user(client)
        assert (await sign_in(client, user.username, WRONG)).status_code == 401
        form = await client.post("/token", data={"username": user.username, "password": WRONG})
        assert form.status_code == 401
        # Seed A's door calls accounts.service.authenticate for each password check.
        async with app_state(app).sessions() as db:
            for _ in range(3):
                with pytest.raises(InvalidCredentials):
                    await service.authenticate(
                        db,
                        app_state(app).passwords,
                        username=user.username.upper(),
                        password=WRONG,
                        client="10.0.0.3",
                    )
            with pytest.raises(TooManyRequests):
                await service.authenticate(
                    db,
                    app_state(app).passwords,
                    username=user.username,
                    password=PASSWORD,
                    client="10.0.0.3",
                )
        assert (await sign_in(client, user.username, PASSWORD)).status_code == 429
        form = await client.post("/token", data={"username": user.username, "password": PASSWORD})
        assert form.status_code == 429


async def test_every_password_door_counts_against_the_address_it_came_from(settings) -> None:
    """Each door hands the throttle its client's address: five failures from one address,
    one through each door, spend that address's budget for the account (5), while the
    account's own budget (10) still lets the owner in from elsewhere."""
    async with running(settings) as app:
        async with client_from(app, "10.0.0.8") as client:
            user = await make_user(client)
            wrong = SeedAUser(user.username, "not-the-password").credentials
            failures = [
                await sign_in(client, user.username, WRONG),
                await client.post("/token", data={"username": user.username, "password": WRONG}),
                await seed_a(client, "POST", f"//login?{wrong}"),
                await seed_a(client, "GET", f"//messages?request=get_all&{wrong}"),
                await client.patch(
                    f"/users/{user.username}",
                    headers=user.headers,
                    json={"current_password": WRONG, "email": "new@example.com"},
                ),
            ]
            assert [failure.status_code for failure in failures] == [401, 401, 401, 401, 403]
            assert (await sign_in(client, user.username, PASSWORD)).status_code == 429
        async with client_from(app, "10.0.0.9") as elsewhere:
            assert (await sign_in(elsewhere, user.username, PASSWORD)).status_code == 200


async def test_a_success_costs_nothing_and_clears_the_address(settings) -> None:
    async with running(settings) as app, client_from(app, "10.0.0.4") as client:
        user = await make_user(client)
        for _ in range(20):
            assert (await sign_in(client, user.username, PASSWORD)).status_code == 200
        # 4 + 4 failures from one address pass its budget of 5 only because the success
        # between them cleared it; the account's own budget (10) still counts all 8.
        for _ in range(2):
            for _ in range(4):
                assert (await sign_in(client, user.username, WRONG)).status_code == 401
            assert (await sign_in(client, user.username, PASSWORD)).status_code == 200


async def test_concurrent_guesses_cannot_overshoot_the_budget(settings) -> None:
    import anyio

    async with running(settings) as app, client_from(app, "10.0.0.5") as client:
        user = await make_user(client)
        statuses: list[int] = []

        async def guess() -> None:
            statuses.append((await sign_in(client, user.username, WRONG)).status_code)

        async with anyio.create_task_group() as group:
            for _ in range(30):
                group.start_soon(guess)
        assert statuses.count(401) == 5
        assert statuses.count(429) == 25


async def test_rate_limits_off_keeps_the_sign_in_throttle(settings) -> None:
    async with (
        running(settings, rate_limits="off", limit_register_address=Budget.parse("1, 1/h")) as app,
        client_from(app, "10.0.0.6") as client,
    ):
        users = [await make_user(client) for _ in range(3)]  # registration unlimited
        statuses = [(await sign_in(client, users[0].username, WRONG)).status_code for _ in range(6)]
        assert statuses[-1] == 429


# Registration and sending budgets


async def test_registration_is_budgeted_per_address(settings) -> None:
    async with running(
        settings, rate_limits="on", limit_register_address=Budget.parse("3, 1/min")
    ) as app:
        async with client_from(app, "10.0.3.1") as client:
            for _ in range(3):
                await make_user(client)
            name = unique_name()
            refused = await client.post(
                "/users",
                json={"username": name, "email": f"{name}@example.com", "password": PASSWORD},
            )
            assert refused.status_code == 429
            assert 1 <= int(refused.headers["retry-after"]) <= 60
            assert refused.json()["code"] == "rate_limited"
        async with client_from(app, "10.0.3.2") as elsewhere:
            await make_user(elsewhere)


async def test_default_registration_budget_admits_60_a_minute_from_one_address(settings) -> None:
    async with running(settings, rate_limits="on") as app, client_from(app, "10.0.3.3") as client:
        for _ in range(60):
            name = unique_name()
            response = await client.post(
                "/users",
                json={"username": name, "email": f"{name}@example.com", "password": PASSWORD},
            )
            assert response.status_code == 201


async def test_sending_is_budgeted_per_sender(settings) -> None:
    async with (
        running(settings, rate_limits="on", limit_send_user=Budget.parse("2, 1/min")) as app,
        client_from(app, "10.0.4.1") as client,
    ):
        alice, bob = await make_user(client), await make_user(client)
        await send(client, alice, bob)
        await send(client, alice, bob)
        refused = await client.post(
            f"/users/{alice.username}/messages",
            json={"receiver": bob.username, "subject": "s", "message": "m"},
            headers=alice.headers,
        )
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) >= 1
        await send(client, bob, alice)  # bob's budget is his own


async def test_seed_a_signup_spends_the_registration_budget(settings) -> None:
    """Before, 70 `//signup`s from one address all succeeded, each paying for argon2."""
    async with (
        running(settings, rate_limits="on", limit_register_address=Budget.parse("3, 1/min")) as app,
        client_from(app, "10.0.3.4") as client,
    ):
        await make_user(client)
        await make_seed_a_user(client, login=False)
        await make_seed_a_user(client, login=False)
        for door in ("//signup", "/users"):
            name = unique_name()
            if door == "//signup":
                refused = await seed_a(
                    client, "POST", f"//signup?username={name}&password={PASSWORD}"
                )
            else:
                refused = await client.post(
                    "/users",
                    json={"username": name, "email": f"{name}@example.com", "password": PASSWORD},
                )
            assert refused.status_code == 429, door
            assert refused.json()["code"] == "rate_limited"
            assert 1 <= int(refused.headers["retry-after"]) <= 60
            assert (await sign_in(client, name, PASSWORD)).status_code == 401  # not created


async def test_seed_a_writes_spend_the_send_budget(settings) -> None:
    """Before, `//message?request=write` was outside the per-sender budget."""
    async with (
        running(settings, rate_limits="on", limit_send_user=Budget.parse("2, 1/min")) as app,
        client_from(app, "10.0.4.3") as client,
    ):
        alice, bob = await make_seed_a_user(client), await make_seed_a_user(client)
        note = alice.message(bob)
        write = f"//message?request=write&{alice.credentials}"
        assert (await seed_a(client, "POST", write, note)).status_code == 201
        assert (await seed_a(client, "POST", write, note)).status_code == 201
        refused = await seed_a(client, "POST", write, note)
        assert refused.status_code == 429
        assert refused.json()["code"] == "rate_limited"
        assert int(refused.headers["retry-after"]) >= 1
        native = await client.post(
            f"/users/{alice.username}/messages",
            json={"receiver": bob.username, "subject": "s", "message": "m"},
            headers=await native_headers(client, alice),
        )
        assert native.status_code == 429  # one budget for both doors
        listed = await seed_a(client, "GET", f"//messages?request=get_all&{bob.credentials}")
        assert len(listed.json()) == 2
        # Deleting is not sending.
        delete = f"//message?request=delete&{alice.credentials}"
        assert (await seed_a(client, "POST", delete, note)).status_code == 200
        answer = await seed_a(
            client, "POST", f"//message?request=write&{bob.credentials}", bob.message(alice)
        )
        assert answer.status_code == 201  # bob's budget is his own


async def test_rate_limits_off_lifts_the_send_budget(settings) -> None:
    async with (
        running(settings, rate_limits="off", limit_send_user=Budget.parse("1, 1/h")) as app,
        client_from(app, "10.0.4.2") as client,
    ):
        alice, bob = await make_user(client), await make_user(client)
        for _ in range(5):
            await send(client, alice, bob)


# Shared through Redis


async def _redis_or_skip() -> None:
    from redis import asyncio as aioredis

    redis = aioredis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        await redis.ping()
    except (OSError, Exception) as exc:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is unreachable at {REDIS_URL}: {exc}")
        pytest.skip(f"Redis is unreachable at {REDIS_URL}: {exc}")
    finally:
        await redis.aclose()


async def test_instances_share_the_budget_through_redis(settings) -> None:
    await _redis_or_skip()
    shared = {"redis_url": REDIS_URL, "redis_prefix": f"mailslot-test-{uuid.uuid4().hex}:"}
    async with running(settings, **shared) as one, running(settings, **shared) as two:
        assert isinstance(app_state(one).limits.limiter, RedisLimiter)
        async with client_from(one, "10.0.5.1") as first, client_from(two, "10.0.5.1") as second:
            user = await make_user(first)
            for client in (first, second, first, second, first):
                assert (await sign_in(client, user.username, WRONG)).status_code == 401
            assert (await sign_in(second, user.username, WRONG)).status_code == 429
            assert (await sign_in(first, user.username, WRONG)).status_code == 429


async def test_the_owners_concurrent_sign_ins_are_never_throttled_through_redis(settings) -> None:
    """Tokens are taken before a check and given back after a right password; with Redis
    both are round trips, so the owner's own concurrent requests (seed A sends the
    password with each) must not hold more of them at once than a burst allows."""
    import anyio

    await _redis_or_skip()
    shared = {"redis_url": REDIS_URL, "redis_prefix": f"mailslot-test-{uuid.uuid4().hex}:"}
    async with running(settings, **shared) as one, running(settings, **shared) as two:
        async with client_from(one, "10.0.5.2") as first, client_from(two, "10.0.5.2") as second:
            user = await make_user(first)
            statuses: list[int] = []

            async def sign_in_on(client: httpx.AsyncClient) -> None:
                statuses.append((await sign_in(client, user.username, PASSWORD)).status_code)

            async with anyio.create_task_group() as group:
                for i in range(40):
                    group.start_soon(sign_in_on, (first, second)[i % 2])
        assert statuses == [200] * 40


async def test_without_redis_budgets_fall_back_to_each_instance(settings) -> None:
    from tests.support.servers import free_port

    down = f"redis://127.0.0.1:{free_port()}/0"
    async with running(settings, redis_url=down) as app, client_from(app, "10.0.6.1") as client:
        user = await make_user(client)
        statuses = [(await sign_in(client, user.username, WRONG)).status_code for _ in range(6)]
        assert statuses == [401] * 5 + [429]
        assert (
            await client.get(f"/users/{user.username}", headers=user.headers)
        ).status_code == 200
