"""Registration, sign-in, sign-out and profiles, on every engine."""

from __future__ import annotations

import os
import sys
import threading
from types import SimpleNamespace

import anyio
import httpx
import pytest

from mailslot.accounts.security import HASHING_NICENESS, Passwords
from mailslot.state import app_state
from tests.support.factories import PASSWORD, make_user, unique_name

pytestmark = [pytest.mark.anyio, pytest.mark.pgbouncer]


async def register(client: httpx.AsyncClient, **fields: str) -> httpx.Response:
    name = unique_name()
    body = {"username": name, "email": f"{name}@example.com", "password": PASSWORD, **fields}
    return await client.post("/users", json=body)


async def test_register_returns_the_user_without_secrets(client, dialect) -> None:
    response = await register(client)
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "username", "email", "created_at", "display_name"}
    assert PASSWORD not in response.text
    assert "argon2" not in response.text


async def test_usernames_are_unique_regardless_of_case(client, dialect) -> None:
    name = unique_name()
    assert (
        await register(client, username=name.lower(), email=f"a{name}@x.org")
    ).status_code == 201
    again = await register(client, username=name.upper(), email=f"b{name}@x.org")
    assert again.status_code == 409
    assert again.json()["code"] == "username_taken"
    assert again.headers["content-type"] == "application/problem+json"


async def test_emails_are_unique_regardless_of_case(client, dialect) -> None:
    email = f"{unique_name()}@Example.com"
    assert (await register(client, email=email)).status_code == 201
    again = await register(client, email=email.upper())
    assert again.status_code == 409
    assert again.json()["code"] == "email_taken"


async def test_concurrent_registrations_of_one_email_lose_with_email_taken(client, dialect) -> None:
    """On PostgreSQL both pass the look-ups and race for the unique index: the loser is
    told which name was taken, the email (before, `username_taken` in 16 to 20 of 20 races)."""
    wrong = []
    for _ in range(20):
        email = f"{unique_name()}@example.com"
        answers: list[httpx.Response] = []

        async def one(answers: list[httpx.Response] = answers, email: str = email) -> None:
            answers.append(await register(client, email=email))

        async with anyio.create_task_group() as tasks:
            for _ in range(3):
                tasks.start_soon(one)
        codes = sorted(a.json().get("code", "") for a in answers if a.status_code != 201)
        if len(answers) - len(codes) != 1 or codes != ["email_taken"] * 2:
            wrong.append([(a.status_code, a.json().get("code")) for a in answers])
    assert not wrong, f"{len(wrong)}/20 races told a loser something else: {wrong}"


@pytest.mark.parametrize(
    ("fields", "pointer"),
    [
        ({"password": "short"}, "/body/password"),
        ({"email": "not-an-email"}, "/body/email"),
        ({"username": "has space"}, "/body/username"),
        ({"username": ""}, "/body/username"),
        ({"username": "x" * 65}, "/body/username"),
        ({"is_admin": "true"}, "/body/is_admin"),
        ({"id": "7"}, "/body/id"),
    ],
)
async def test_invalid_registrations_are_refused(client, dialect, fields, pointer) -> None:
    response = await register(client, **fields)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_failed"
    assert pointer in [error["pointer"] for error in body["errors"]]


async def test_missing_fields_are_named(client, dialect) -> None:
    response = await client.post("/users", json={"username": unique_name()})
    assert response.status_code == 422
    pointers = {error["pointer"] for error in response.json()["errors"]}
    assert pointers == {"/body/email", "/body/password"}


async def test_sign_in_gives_a_bearer_token_that_works(client, dialect) -> None:
    user = await make_user(client)
    response = await client.post(f"/users/{user.username}/token", json={"password": PASSWORD})
    assert response.status_code == 200
    token = response.json()
    assert token["token_type"] == "bearer"
    assert token["expires_in"] > 0
    profile = await client.get(
        f"/users/{user.username}", headers={"Authorization": f"Bearer {token['access_token']}"}
    )
    assert profile.status_code == 200
    assert profile.json()["email"] == f"{user.username}@example.com"


async def test_sign_in_ignores_username_case(client, dialect) -> None:
    user = await make_user(client)
    response = await client.post(
        f"/users/{user.username.upper()}/token", json={"password": PASSWORD}
    )
    assert response.status_code == 200


async def test_wrong_password_and_unknown_user_get_the_same_401(client, dialect) -> None:
    user = await make_user(client)
    wrong = await client.post(f"/users/{user.username}/token", json={"password": "wrong password"})
    unknown = await client.post(f"/users/{unique_name()}/token", json={"password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    wrong_body, unknown_body = wrong.json(), unknown.json()
    assert wrong_body.pop("instance") != unknown_body.pop("instance")
    assert wrong_body == unknown_body
    assert wrong.json()["code"] == "invalid_credentials"
    assert wrong.headers["www-authenticate"] == "Bearer"


async def test_unknown_user_pays_for_a_password_check(monkeypatch) -> None:
    passwords = Passwords(memory_kib=64, iterations=1)
    checked: list[str | None] = []
    original = passwords._verify

    def spy(password_hash: str | None, password: str) -> bool:
        checked.append(password_hash)
        return original(password_hash, password)

    monkeypatch.setattr(passwords, "_verify", spy)
    assert await passwords.verify(None, "anything") is False
    assert checked == [None]  # hashed against the dummy, not skipped


async def test_passwords_use_owasp_argon2id_parameters() -> None:
    passwords = Passwords(memory_kib=19_456, iterations=2)
    encoded = await passwords.hash("a password")
    assert encoded.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert await passwords.verify(encoded, "a password")
    assert not await passwords.verify(encoded, "another password")


@pytest.mark.skipif(sys.platform != "linux", reason="per-thread nice values are Linux's")
async def test_hashing_runs_at_a_lower_cpu_priority_than_the_event_loop(monkeypatch) -> None:
    passwords = Passwords(memory_kib=64, iterations=1)
    loop_thread = threading.get_native_id()

    seen: list[tuple[int, int]] = []

    def spy(password: str) -> str:
        # Called inside the hashing thread itself.
        here = threading.get_native_id()
        seen.append(
            (os.getpriority(os.PRIO_PROCESS, here), os.getpriority(os.PRIO_PROCESS, loop_thread))
        )
        return "hashed"

    monkeypatch.setattr(passwords, "_hasher", SimpleNamespace(hash=spy))
    assert await passwords.hash("a password") == "hashed"
    [(hashing, event_loop)] = seen
    assert hashing == min(event_loop + HASHING_NICENESS, 19)
    assert os.getpriority(os.PRIO_PROCESS, loop_thread) == event_loop  # the loop kept its own


async def test_oauth2_password_form_signs_in(client, dialect) -> None:
    user = await make_user(client)
    response = await client.post("/token", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 200
    assert response.json()["token_type"] == "bearer"
    bad = await client.post("/token", data={"username": user.username, "password": "nope nope"})
    assert bad.status_code == 401


async def test_sign_out_revokes_the_token_at_once(client, dialect) -> None:
    user = await make_user(client)
    other_session = (
        await client.post(f"/users/{user.username}/token", json={"password": PASSWORD})
    ).json()["access_token"]
    out = await client.delete(f"/users/{user.username}/token", headers=user.headers)
    assert out.status_code == 204
    after = await client.get(f"/users/{user.username}/messages", headers=user.headers)
    assert after.status_code == 401
    assert after.json()["code"] == "invalid_token"
    # Only the presented token is signed out.
    still = await client.get(
        f"/users/{user.username}/messages", headers={"Authorization": f"Bearer {other_session}"}
    )
    assert still.status_code == 200


async def test_sign_out_needs_the_users_own_token(client, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    response = await client.delete(f"/users/{bob.username}/token", headers=alice.headers)
    assert response.status_code == 403
    assert response.json()["code"] == "not_your_mailbox"
    assert (await client.get(f"/users/{bob.username}", headers=bob.headers)).status_code == 200


async def test_expired_tokens_fail(client, app, dialect) -> None:
    from datetime import timedelta

    from sqlalchemy import update

    from mailslot.accounts.models import AccessToken
    from mailslot.accounts.security import token_digest
    from mailslot.db.base import utcnow

    user = await make_user(client)
    async with app_state(app).sessions() as db:
        await db.execute(
            update(AccessToken)
            .where(AccessToken.token_hash == token_digest(user.token))
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        await db.commit()
    response = await client.get(f"/users/{user.username}", headers=user.headers)
    assert response.status_code == 401


async def test_purge_deletes_expired_tokens_and_tickets_and_keeps_live_ones(
    client, app, dialect
) -> None:
    from datetime import timedelta

    from sqlalchemy import select, update

    from mailslot.accounts.models import AccessToken, StreamTicket
    from mailslot.accounts.security import token_digest
    from mailslot.db.base import utcnow
    from mailslot.messages.purge import purge_expired

    live, gone = await make_user(client), await make_user(client)

    async def ticket(user) -> bytes:
        response = await client.post(f"/users/{user.username}/stream-tickets", headers=user.headers)
        assert response.status_code == 201
        return token_digest(response.json()["ticket"])

    gone_ticket, live_ticket, stale_ticket = (
        await ticket(gone),
        await ticket(live),
        await ticket(live),
    )
    past = utcnow() - timedelta(seconds=1)
    async with app_state(app).sessions() as db:
        await db.execute(
            update(AccessToken)
            .where(AccessToken.token_hash == token_digest(gone.token))
            .values(expires_at=past)
        )
        await db.execute(
            update(StreamTicket)
            .where(StreamTicket.ticket_hash == stale_ticket)
            .values(expires_at=past)
        )
        await db.commit()

    await purge_expired(app_state(app).sessions, trash_retention=timedelta(days=30))
    async with app_state(app).sessions() as db:
        tokens = set(
            await db.scalars(
                select(AccessToken.token_hash).where(
                    AccessToken.token_hash.in_([token_digest(live.token), token_digest(gone.token)])
                )
            )
        )
        tickets = set(
            await db.scalars(
                select(StreamTicket.ticket_hash).where(
                    StreamTicket.ticket_hash.in_([gone_ticket, live_ticket, stale_ticket])
                )
            )
        )
    assert tokens == {token_digest(live.token)}
    assert tickets == {live_ticket}
    assert (await client.get(f"/users/{live.username}", headers=live.headers)).status_code == 200


async def test_tokens_are_stored_only_as_hashes(client, app, dialect) -> None:
    from sqlalchemy import select

    from mailslot.accounts.models import AccessToken

    user = await make_user(client)
    async with app_state(app).sessions() as db:
        stored = (await db.scalars(select(AccessToken.token_hash))).all()
    assert all(user.token.encode() not in value for value in stored)
    assert all(len(value) == 32 for value in stored)


@pytest.mark.parametrize(
    "header", [None, "Bearer", "Bearer ", "Bearer not-a-token", "Basic dXNlcjpwYXNz", "bearer x y"]
)
async def test_requests_without_a_valid_token_get_401(client, dialect, header) -> None:
    user = await make_user(client)
    headers = {"Authorization": header} if header is not None else {}
    response = await client.get(f"/users/{user.username}/messages", headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


async def test_other_users_see_only_a_username_and_its_display_name(client, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    response = await client.get(f"/users/{bob.username}", headers=alice.headers)
    assert response.status_code == 200
    assert response.json() == {"username": bob.username, "display_name": None}
    missing = await client.get(f"/users/{unique_name()}", headers=alice.headers)
    assert missing.status_code == 404
    assert missing.json()["code"] == "user_not_found"
