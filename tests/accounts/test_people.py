"""Users provisioned by a host application's own ids (accounts.people), on every engine:
upsert, batch, look-up, passwordless sign-in, deactivation and reactivation."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event, func, select

from mailslot.accounts import people
from mailslot.accounts.models import AccessToken, StreamTicket, User
from mailslot.accounts.people import ExternalUser, ExternalUserItem
from mailslot.accounts.security import token_digest
from mailslot.accounts.service import NO_PASSWORD
from mailslot.errors import EmailTaken, Unprocessable, UsernameTaken, UserNotFound
from mailslot.messages.models import Delivery, Message
from mailslot.state import app_state
from tests.compat.seed_a import SeedAUser, make_seed_a_user, seed_a
from tests.support.factories import PASSWORD, TestUser, inbox, make_user, send, unique_name
from tests.support.people import deactivate, external_id, give_external_id, reactivate
from tests.support.statements import statements

pytestmark = pytest.mark.anyio


async def upsert(app: FastAPI, **fields: Any) -> tuple[ExternalUser, str]:
    async with app_state(app).sessions() as db:
        found = await people.upsert_external_user(db, **fields)
        await db.commit()
    return found


async def stored(app: FastAPI, user_id: int) -> Any:
    async with app_state(app).sessions() as db:
        return (await db.execute(select(User).where(User.id == user_id))).scalar_one()


async def test_an_upsert_creates_updates_and_leaves_unchanged(app, dialect) -> None:
    host_id = external_id()
    user, outcome = await upsert(
        app, external_id=host_id, display_name="  Ada Lovelace ", custom={"tier": "gold"}
    )
    assert outcome == "created"
    assert (user.external_id, user.account.display_name) == (host_id, "Ada Lovelace")
    assert (user.custom, user.account.email, user.deactivated_at) == ({"tier": "gold"}, None, None)
    assert (await stored(app, user.account.id)).password_hash == NO_PASSWORD

    again, outcome = await upsert(app, external_id=host_id, display_name="Ada Lovelace")
    assert outcome == "unchanged"
    assert again == user  # `custom` and `email` left out: kept

    email = f"{unique_name()}@example.com"
    changed, outcome = await upsert(
        app, external_id=host_id, display_name="Ada King", email=email, custom=None
    )
    assert outcome == "updated"
    assert (changed.account.display_name, changed.account.email, changed.custom) == (
        "Ada King",
        email,
        None,
    )
    assert changed.account.username == user.account.username
    async with app_state(app).sessions() as db:
        assert await people.get_external_user(db, host_id) == changed


async def test_a_username_is_derived_from_the_external_id_and_made_unique(app, dialect) -> None:
    tail = uuid.uuid4().hex[:10]
    first, _ = await upsert(app, external_id=f"auth0|{tail}", display_name=None)
    second, _ = await upsert(app, external_id=f"auth0:{tail}", display_name=None)
    third, _ = await upsert(app, external_id=f"--AUTH0@{tail}", display_name=None)
    assert first.account.username == f"auth0-{tail}"
    assert second.account.username == f"auth0-{tail}-2"
    assert third.account.username == f"AUTH0-{tail}-3"  # unique regardless of case
    assert people.derived_username_base("@@@") == "user"


async def test_a_given_username_is_kept_and_never_changes(app, client, dialect) -> None:
    host_id, name = external_id(), unique_name("host")
    user, _ = await upsert(app, external_id=host_id, display_name="Grace", username=name)
    assert user.account.username == name
    _, outcome = await upsert(app, external_id=host_id, display_name="Grace", username=name.upper())
    assert outcome == "unchanged"
    with pytest.raises(Unprocessable) as refused:
        await upsert(app, external_id=host_id, display_name="Grace", username=unique_name())
    assert refused.value.errors == [
        {"pointer": "/body/username", "detail": f"is {name!r} and never changes"}
    ]


async def test_names_and_addresses_of_other_users_are_refused(app, client, dialect) -> None:
    taken = await make_user(client)
    with pytest.raises(UsernameTaken):
        await upsert(
            app, external_id=external_id(), display_name=None, username=taken.username.upper()
        )
    with pytest.raises(EmailTaken):
        await upsert(
            app,
            external_id=external_id(),
            display_name=None,
            email=f"{taken.username}@EXAMPLE.com",
        )
    host_id = external_id()
    await upsert(app, external_id=host_id, display_name=None)
    with pytest.raises(EmailTaken):
        await upsert(
            app, external_id=host_id, display_name=None, email=f"{taken.username}@example.com"
        )
    async with app_state(app).sessions() as db:
        assert (await people.get_external_user(db, host_id)).account.email is None


@pytest.mark.parametrize(
    ("fields", "pointer", "detail"),
    [
        ({"custom": {"notes": "x" * 4096}}, "/body/custom", "at most 4096 bytes as JSON"),
        ({"display_name": "   "}, "/body/display_name", "must not be blank"),
        ({"display_name": "Eve\u202eevil"}, "/body/display_name", "control characters"),
        ({"display_name": "a\nb"}, "/body/display_name", "control characters"),
        ({"display_name": "x" * 101}, "/body/display_name", "at most 100 characters"),
        ({"username": "no spaces"}, "/body/username", "not a valid username"),
        ({"external_id": "has/slash"}, "/path/external_id", "malformed external id"),
        ({"external_id": "x" * 129}, "/path/external_id", "malformed external id"),
    ],
)
async def test_bad_fields_are_refused_naming_them(app, dialect, fields, pointer, detail) -> None:
    arguments = {"external_id": external_id(), "display_name": None, **fields}
    with pytest.raises(Unprocessable) as refused:
        await upsert(app, **arguments)
    assert refused.value.status == 422
    assert refused.value.errors is not None
    assert refused.value.errors[0]["pointer"] == pointer
    assert detail in refused.value.errors[0]["detail"]
    async with app_state(app).sessions() as db:
        assert await people.find_external_user(db, arguments["external_id"]) is None


async def test_custom_of_exactly_4_kib_is_kept(app, dialect) -> None:
    custom = {"n": "x" * (4096 - len('{"n":""}'))}
    user, _ = await upsert(app, external_id=external_id(), display_name=None, custom=custom)
    assert user.custom == custom


async def test_an_unknown_external_id_is_user_not_found(app, dialect) -> None:
    async with app_state(app).sessions() as db:
        for missing in (external_id(), "has/slash"):
            with pytest.raises(UserNotFound):
                await people.get_external_user(db, missing)
            with pytest.raises(UserNotFound):
                await people.deactivate_user(db, missing)
            with pytest.raises(UserNotFound):
                await people.reactivate_user(db, missing)


@contextmanager
def commits(app: FastAPI) -> Iterator[list[str]]:
    """Every COMMIT and every SAVEPOINT the app's engine sends while the block runs."""
    seen: list[str] = []
    engine = app_state(app).engine.sync_engine

    def on_commit(_conn: Any) -> None:
        seen.append("COMMIT")

    def on_savepoint(_conn: Any, _name: str) -> None:
        seen.append("SAVEPOINT")

    event.listen(engine, "commit", on_commit)
    event.listen(engine, "savepoint", on_savepoint)
    try:
        yield seen
    finally:
        event.remove(engine, "commit", on_commit)
        event.remove(engine, "savepoint", on_savepoint)


async def test_a_batch_answers_per_item_and_one_bad_item_fails_no_other(
    app, client, dialect
) -> None:
    taken = await make_user(client)
    existing = external_id()
    await upsert(app, external_id=existing, display_name="Before")
    ids = [external_id() for _ in range(3)]
    items = [
        ExternalUserItem(ids[0], "New One"),
        ExternalUserItem(ids[1], None, username=taken.username),
        ExternalUserItem(existing, "After"),
        ExternalUserItem(ids[2], None, custom={"big": "x" * 5000}),
        ExternalUserItem(existing, "After"),
    ]
    with commits(app) as seen:
        async with app_state(app).sessions() as db:
            results = await people.upsert_external_users(db, items)
            await db.commit()
    # A savepoint per item that writes or may (not the one over 4 KiB, not the one that
    # changes nothing), and one commit for the batch.
    assert seen == ["SAVEPOINT"] * 3 + ["COMMIT"]
    assert [(r.external_id, r.outcome) for r in results] == [
        (ids[0], "created"),
        (ids[1], None),
        (existing, "updated"),
        (ids[2], None),
        (existing, "unchanged"),
    ]
    assert isinstance(results[1].error, UsernameTaken)
    assert isinstance(results[3].error, Unprocessable)
    async with app_state(app).sessions() as db:
        assert (await people.get_external_user(db, ids[0])).account.display_name == "New One"
        assert (await people.get_external_user(db, existing)).account.display_name == "After"
        for refused in (ids[1], ids[2]):
            assert await people.find_external_user(db, refused) is None


async def test_a_batch_that_changes_nothing_costs_one_statement(app, dialect) -> None:
    items = [ExternalUserItem(external_id(), f"User {n}", custom={"n": n}) for n in range(5)]
    async with app_state(app).sessions() as db:
        await people.upsert_external_users(db, items)
        await db.commit()
    with statements(app) as seen:
        async with app_state(app).sessions() as db:
            results = await people.upsert_external_users(db, items)
    assert [result.outcome for result in results] == ["unchanged"] * 5
    # SQLite sends its BEGIN IMMEDIATE as a statement; nothing else but the one read.
    assert len([s for s in seen if s != "BEGIN IMMEDIATE"]) == 1, seen


async def test_a_batch_over_100_is_refused(app, dialect) -> None:
    items = [ExternalUserItem(external_id(), None) for _ in range(101)]
    async with app_state(app).sessions() as db:
        with pytest.raises(Unprocessable) as refused:
            await people.upsert_external_users(db, items)
        assert "at most 100" in refused.value.detail
        assert await people.find_external_user(db, items[0].external_id) is None


def same_refusal(response: httpx.Response, wrong: httpx.Response) -> None:
    assert response.status_code == wrong.status_code == 401
    strip = ("instance", "request_id")
    assert {k: v for k, v in response.json().items() if k not in strip} == {
        k: v for k, v in wrong.json().items() if k not in strip
    }


async def test_a_provisioned_user_cannot_sign_in_with_a_password(
    app, client, dialect, monkeypatch
) -> None:
    user, _ = await upsert(app, external_id=external_id(), display_name="No Password")
    name = user.account.username
    registered = await make_user(client)
    checked: list[str | None] = []
    verify = app_state(app).passwords.verify

    async def counted(password_hash: str | None, password: str) -> bool:
        checked.append(password_hash)
        return bool(await verify(password_hash, password))

    monkeypatch.setattr(app_state(app).passwords, "verify", counted)
    wrong = await client.post(
        f"/users/{registered.username}/token", json={"password": "not-the-password"}
    )
    for password in (PASSWORD, "None"):  # 5 failures: the budget per address and account
        response = await client.post(f"/users/{name}/token", json={"password": password})
        same_refusal(response, wrong)
        form = await client.post("/token", data={"username": name, "password": password})
        same_refusal(form, wrong)
    seed = SeedAUser(name, PASSWORD)
    logged_in = await seed_a(client, "POST", f"//login?{seed.credentials}")
    assert (logged_in.status_code, logged_in.json()["code"]) == (401, "invalid_credentials")
    # Each check paid for one argon2 verification, as for an unknown user.
    assert len(checked) == 1 + 2 * 2 + 1
    assert checked[1:] == [None] * 5


async def test_deactivation_refuses_tokens_sign_in_and_receiving_and_keeps_messages(
    app, client, dialect
) -> None:
    alice, bob, carol = [await make_user(client) for _ in range(3)]
    to_bob = await send(client, alice, bob, subject="before")
    from_bob = await send(client, bob, alice, subject="from bob")
    ticket = await client.post(f"/users/{bob.username}/stream-tickets", headers=bob.headers)
    assert ticket.status_code == 201, ticket.text
    host_id = await give_external_id(app, bob.username)

    user = await deactivate(app, host_id)
    assert user.deactivated_at is not None
    # The token stops at once; no token or stream ticket of Bob's is left.
    refused = await client.get(f"/users/{bob.username}", headers=bob.headers)
    assert (refused.status_code, refused.json()["code"]) == (401, "invalid_token")
    async with app_state(app).sessions() as db:
        left = select(func.count()).select_from(AccessToken)
        assert await db.scalar(left.where(AccessToken.user_id == user.account.id)) == 0
        tickets = select(func.count()).select_from(StreamTicket)
        assert (
            await db.scalar(tickets.where(StreamTicket.token_hash == token_digest(bob.token))) == 0
        )
        # Bob's messages stay where they are, sent and received.
        assert await db.scalar(select(Message.id).where(Message.id == from_bob["id"]))
        assert await db.scalar(
            select(Delivery.message_id).where(
                Delivery.message_id == to_bob["id"], Delivery.receiver_id == user.account.id
            )
        )
    assert from_bob["id"] in [m["id"] for m in await inbox(client, alice)]

    # Sign-in: the right password is told the account is deactivated; a wrong one learns
    # nothing.
    signed_in = await client.post(f"/users/{bob.username}/token", json={"password": PASSWORD})
    assert (signed_in.status_code, signed_in.json()["code"]) == (403, "account_deactivated")
    wrong = await client.post(f"/users/{bob.username}/token", json={"password": "wrong-pass"})
    assert (wrong.status_code, wrong.json()["code"]) == (401, "invalid_credentials")

    # Sending to Bob: refused, naming him, after any unknown receiver.
    for body in ({"receiver": bob.username}, {"receivers": [carol.username, bob.username]}):
        response = await client.post(
            f"/users/{alice.username}/messages",
            json={**body, "subject": "s", "message": "m"},
            headers=alice.headers,
        )
        assert response.status_code == 422
        problem = response.json()
        assert problem["code"] == "receiver_deactivated"
        assert problem["errors"] == [
            {"pointer": "/body/receivers", "detail": f"deactivated user {bob.username!r}"}
        ]
    ghost = unique_name("ghost")
    response = await client.post(
        f"/users/{alice.username}/messages",
        json={"receivers": [bob.username, ghost], "subject": "s", "message": "m"},
        headers=alice.headers,
    )
    assert (response.status_code, response.json()["code"]) == (422, "unknown_receiver")
    assert (await deactivate(app, host_id)).deactivated_at == user.deactivated_at  # again

    # Reactivation: sign-in works again; the old token stays revoked.
    assert (await reactivate(app, host_id)).deactivated_at is None
    still = await client.get(f"/users/{bob.username}", headers=bob.headers)
    assert still.status_code == 401
    signed_in = await client.post(f"/users/{bob.username}/token", json={"password": PASSWORD})
    assert signed_in.status_code == 200
    fresh = TestUser(bob.username, PASSWORD, signed_in.json()["access_token"])
    assert (await client.get(f"/users/{bob.username}", headers=fresh.headers)).status_code == 200
    assert (await send(client, alice, bob, subject="after"))["receivers"] == [bob.username]


async def test_a_deactivated_seed_a_user_is_refused_with_its_session_ended(
    app, client, dialect
) -> None:
    user = await make_seed_a_user(client)
    host_id = await give_external_id(app, user.username)
    await deactivate(app, host_id)
    for target in (
        f"//messages?{user.credentials}&request=get_all",
        f"//login?{user.credentials}",
    ):
        method = "GET" if target.startswith("//messages") else "POST"
        response = await seed_a(client, method, target)
        assert (response.status_code, response.json()["code"]) == (403, "account_deactivated")
    row = await stored(app, (await reactivate(app, host_id)).account.id)
    assert (row.legacy_logged_in, row.legacy_session_digest) == (False, None)
    # Reactivated, the session must be started again.
    response = await seed_a(client, "GET", f"//messages?{user.credentials}&request=get_all")
    assert (response.status_code, response.json()["code"]) == (401, "session_not_started")
