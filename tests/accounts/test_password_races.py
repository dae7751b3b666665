"""A password change locks out the old password whatever runs concurrently: clients keep
signing in with it (native tokens, seed A `//login`) on one instance while the owner
changes it on another, and afterwards nothing obtained with it is accepted. In process
(two apps, each with its own pool, hashing threads and sign-in lock) and over HTTP
between two `mailslot serve` processes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
import httpx
import pytest
from asgi_lifespan import LifespanManager

from mailslot.app import create_app
from mailslot.budgets import Budget
from mailslot.config import Settings
from tests.compat.seed_a import SeedAUser, seed_a
from tests.support.factories import make_user
from tests.support.servers import MailslotServer

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(120)]

ITERATIONS = 30
SIGNERS = 3  # concurrent sign-in loops per door
NEW_PASSWORD = "the new password, 2"
# Every request here is its owner's: no sign-in budget should answer in place of the
# password check under test.
OWNERS_BUDGETS = {
    f"limit_signin_{bucket}": "1000, 1000/s" for bucket in ("account", "address_account", "address")
}


@asynccontextmanager
async def instance(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """One more app on the same database: its own pool, hashing queue and sign-in lock,
    as a second serving process has."""
    # Every request here is its owner's: no sign-in budget should answer in place of the
    # password check under test.
    app = create_app(
        settings.model_copy(
            update={
                "limit_signin_account": Budget.parse("1000, 1/s"),
                "limit_signin_address_account": Budget.parse("1000, 1/s"),
            }
        )
    )
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://mailslot.test") as c:
            yield c


async def _race_once(signer: httpx.AsyncClient, owner: httpx.AsyncClient) -> list[str]:
    """One change racing sign-ins with the old password; what the old password still
    gets afterwards, described (empty: locked out)."""
    user = await make_user(owner)
    old = SeedAUser(user.username, user.password)
    tokens: list[str] = []
    changed = anyio.Event()

    async def native() -> None:
        while not changed.is_set():
            response = await signer.post(
                f"/users/{user.username}/token", json={"password": user.password}
            )
            if response.status_code == 200:
                tokens.append(response.json()["access_token"])

    async def seed_a_login() -> None:
        while not changed.is_set():
            await seed_a(signer, "POST", f"//login?{old.credentials}")

    async def change() -> None:
        response = await owner.patch(
            f"/users/{user.username}",
            json={"current_password": user.password, "password": NEW_PASSWORD},
            headers=user.headers,
        )
        assert response.status_code == 200, response.text
        changed.set()

    async with anyio.create_task_group() as tasks:
        for _ in range(SIGNERS):
            tasks.start_soon(native)
            tasks.start_soon(seed_a_login)
        tasks.start_soon(change)

    survivors = []
    for client in (signer, owner):
        for token in tokens:
            response = await client.get(
                f"/users/{user.username}", headers={"Authorization": f"Bearer {token}"}
            )
            if response.status_code != 401:
                survivors.append(f"a token from the old password: {response.status_code}")
        listed = await seed_a(client, "GET", f"//messages?request=get_all&{old.credentials}")
        if listed.status_code != 401:
            survivors.append(f"seed A //messages with the old password: {listed.status_code}")
        note = old.message(old)
        for request in ("write", "delete"):
            answer = await seed_a(
                client, "POST", f"//message?request={request}&{old.credentials}", note
            )
            if answer.status_code != 401:
                survivors.append(f"seed A {request} with the old password: {answer.status_code}")
    # The owner's new password works at both doors.
    new = SeedAUser(user.username, NEW_PASSWORD)
    assert (await seed_a(owner, "POST", f"//login?{new.credentials}")).status_code == 200
    fresh = await owner.post(f"/users/{user.username}/token", json={"password": NEW_PASSWORD})
    assert fresh.status_code == 200
    return survivors


async def test_no_credential_from_the_old_password_outlives_a_change(settings, dialect) -> None:
    failures = []
    async with instance(settings) as signer, instance(settings) as owner:
        for attempt in range(ITERATIONS):
            if survivors := await _race_once(signer, owner):
                failures.append(f"attempt {attempt}: {survivors}")
    assert not failures, f"{len(failures)}/{ITERATIONS} races kept the old password: {failures}"


@pytest.mark.process
async def test_no_credential_from_the_old_password_outlives_a_change_across_processes(
    tmp_path, settings, dialect
) -> None:
    env = {"MAILSLOT_DATABASE_URL": settings.resolved_database_url}  # migrated by `settings`
    env |= {f"MAILSLOT_{name.upper()}": value for name, value in OWNERS_BUDGETS.items()}
    failures = []
    with (
        MailslotServer(tmp_path / "signer", env=env) as one,
        MailslotServer(tmp_path / "owner", env=env) as two,
    ):
        async with (
            httpx.AsyncClient(base_url=one.url, timeout=30) as signer,
            httpx.AsyncClient(base_url=two.url, timeout=30) as owner,
        ):
            for attempt in range(ITERATIONS):
                if survivors := await _race_once(signer, owner):
                    failures.append(f"attempt {attempt}: {survivors}")
    assert not failures, f"{len(failures)}/{ITERATIONS} races kept the old password: {failures}"


async def _change_twice(one: httpx.AsyncClient, two: httpx.AsyncClient) -> dict[str, int]:
    """Two changes from the same current password, on two instances; their statuses, or
    nothing when exactly one went through and its password is the one that works."""
    user = await make_user(one)
    other = await two.post(f"/users/{user.username}/token", json={"password": user.password})
    answers: dict[str, httpx.Response] = {}

    async def change(client: httpx.AsyncClient, token: str, new: str) -> None:
        answers[new] = await client.patch(
            f"/users/{user.username}",
            json={"current_password": user.password, "password": new},
            headers={"Authorization": f"Bearer {token}"},
        )

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(change, one, user.token, "first new password")
        tasks.start_soon(change, two, other.json()["access_token"], "second new password")
    won = [new for new, answer in answers.items() if answer.status_code == 200]
    works = []
    for new in answers:
        signed_in = await one.post(f"/users/{user.username}/token", json={"password": new})
        if signed_in.status_code == 200:
            works.append(new)
    if len(won) == 1 and works == won:
        return {}
    return {new: answer.status_code for new, answer in answers.items()}


async def test_of_two_concurrent_changes_from_one_password_one_wins(settings, dialect) -> None:
    """Both check the same current password; once one has committed, that password is the
    old one, and the other change must not go through with it."""
    wrong = []
    async with instance(settings) as one, instance(settings) as two:
        for _ in range(ITERATIONS):
            if statuses := await _change_twice(one, two):
                wrong.append(statuses)
    assert not wrong, f"{len(wrong)}/{ITERATIONS} pairs of changes went wrong: {wrong}"
