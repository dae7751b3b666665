"""Changing one's email and password (`PATCH /users/{username}`), on every engine."""

from __future__ import annotations

import httpx
import pytest

from mailslot.state import app_state
from tests.compat.seed_a import make_seed_a_user, native_headers, seed_a
from tests.support.factories import PASSWORD, make_user, unique_name

pytestmark = pytest.mark.anyio


async def patch(client: httpx.AsyncClient, username: str, headers: dict[str, str], **body: str):
    return await client.patch(f"/users/{username}", json=body, headers=headers)


async def test_a_seed_a_account_gets_an_email(client, dialect) -> None:
    user = await make_seed_a_user(client, login=False)
    headers = await native_headers(client, user)
    email = f"{user.username}@example.com"
    response = await patch(
        client, user.username, headers, current_password=user.password, email=email
    )
    assert response.status_code == 200
    assert response.json()["email"] == email
    profile = await client.get(f"/users/{user.username}", headers=headers)
    assert profile.json()["email"] == email
    # Setting it again is no conflict with oneself.
    again = await patch(
        client, user.username, headers, current_password=user.password, email=email.upper()
    )
    assert again.status_code == 200


async def test_an_email_of_another_account_is_refused(client, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    response = await patch(
        client,
        bob.username,
        bob.headers,
        current_password=PASSWORD,
        email=f"{alice.username}@EXAMPLE.com",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "email_taken"


async def test_changes_need_the_current_password(client, dialect) -> None:
    user = await make_user(client)
    response = await patch(
        client, user.username, user.headers, current_password="not-it", password="new-password-1"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "wrong_password"
    signed_in = await client.post(f"/users/{user.username}/token", json={"password": PASSWORD})
    assert signed_in.status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"current_password": PASSWORD},
        {"email": "a@example.com"},
        {"current_password": PASSWORD, "password": "short"},
        {"current_password": PASSWORD, "email": "not-an-email"},
        {"current_password": PASSWORD, "username": "renamed"},
    ],
)
async def test_invalid_changes_are_refused(client, dialect, body) -> None:
    user = await make_user(client)
    response = await client.patch(f"/users/{user.username}", json=body, headers=user.headers)
    assert response.status_code == 422


async def test_a_token_changes_only_its_own_account(client, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    response = await patch(
        client, bob.username, alice.headers, current_password=PASSWORD, password="new-password-1"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "not_your_mailbox"
    missing = await patch(client, bob.username, {}, current_password=PASSWORD, email="a@b.org")
    assert missing.status_code == 401


async def test_a_new_password_ends_seed_a_sessions_and_other_tokens(client, dialect) -> None:
    user = await make_seed_a_user(client)
    this_token = await native_headers(client, user)
    other_token = await native_headers(client, user)
    assert (
        await seed_a(client, "GET", f"//messages?{user.credentials}&request=get_all")
    ).status_code == 200
    new_password = "a-brand-new-password"
    response = await patch(
        client, user.username, this_token, current_password=user.password, password=new_password
    )
    assert response.status_code == 200
    # The old password is gone everywhere.
    old = await seed_a(client, "GET", f"//messages?{user.credentials}&request=get_all")
    assert (old.status_code, old.json()["code"]) == (401, "invalid_credentials")
    old_sign_in = await client.post(
        f"/users/{user.username}/token", json={"password": user.password}
    )
    assert old_sign_in.status_code == 401
    # The seed A session ended with it: the new password needs a new //login.
    new = f"username={user.username}&password={new_password}"
    ended = await seed_a(client, "GET", f"//messages?{new}&request=get_all")
    assert (ended.status_code, ended.json()["code"]) == (401, "session_not_started")
    assert (await seed_a(client, "POST", f"//login?{new}")).status_code == 200
    assert (await seed_a(client, "GET", f"//messages?{new}&request=get_all")).status_code == 200
    # Other bearer tokens are signed out; the one that made the change still works.
    other = await client.get(f"/users/{user.username}", headers=other_token)
    assert (other.status_code, other.json()["code"]) == (401, "invalid_token")
    assert (await client.get(f"/users/{user.username}", headers=this_token)).status_code == 200


async def _session_digest(app, username: str) -> bytes | None:
    from sqlalchemy import select

    from mailslot.accounts.models import User

    async with app_state(app).sessions() as db:
        digest: bytes | None = await db.scalar(
            select(User.legacy_session_digest).where(User.username_key == username.casefold())
        )
    return digest


async def test_a_seed_a_session_keeps_only_a_keyed_hash_of_the_credentials(
    client, app, dialect
) -> None:
    user = await make_seed_a_user(client, login=False)
    assert await _session_digest(app, user.username) is None
    assert (await seed_a(client, "POST", f"//login?{user.credentials}")).status_code == 200
    digest = await _session_digest(app, user.username)
    assert digest is not None
    assert len(digest) == 32
    assert user.password.encode() not in digest
    assert (await seed_a(client, "POST", f"//logout?{user.credentials}")).status_code == 200
    assert await _session_digest(app, user.username) is None


async def test_the_session_digest_vouches_without_argon2(app, dialect) -> None:
    """With a password hash argon2 cannot verify, only the digest can let a request in."""
    from sqlalchemy import update

    from mailslot.accounts import service
    from mailslot.accounts.models import User
    from mailslot.errors import InvalidCredentials

    digests, passwords = app_state(app).credential_digests, app_state(app).passwords
    name, password, unusable = unique_name(), "the-password-1", "not-an-argon2-hash"
    async with app_state(app).sessions() as db:
        user = await service.register_user(
            db, passwords, username=name, email=None, password=password
        )
        await db.execute(
            update(User)
            .where(User.id == user.id)
            .values(
                password_hash=unusable,
                legacy_logged_in=True,
                legacy_session_digest=digests.of(
                    user_id=user.id, password_hash=unusable, password=password
                ),
            )
        )
        await db.commit()
        found = await service.authenticate(
            db, passwords, username=name, password=password, client=None, session_digests=digests
        )
        assert found.user.id == user.id
        with pytest.raises(InvalidCredentials):
            await service.authenticate(db, passwords, username=name, password=password, client=None)
        with pytest.raises(InvalidCredentials):
            await service.authenticate(
                db,
                passwords,
                username=name,
                password="wrong-one",
                client=None,
                session_digests=digests,
            )


async def test_a_digest_never_outlives_the_password_it_was_made_with(app, dialect) -> None:
    """Even if a password change forgot to drop it, the old digest stops matching."""
    from sqlalchemy import update

    from mailslot.accounts import service
    from mailslot.accounts.models import User
    from mailslot.errors import InvalidCredentials

    digests, passwords = app_state(app).credential_digests, app_state(app).passwords
    name, old = unique_name(), "the-old-password"
    async with app_state(app).sessions() as db:
        user = await service.register_user(db, passwords, username=name, email=None, password=old)
        await db.commit()
        verified = await service.authenticate(
            db, passwords, username=name, password=old, client=None
        )
        await service.start_legacy_session(db, digests, verified, password=old)
        await db.execute(
            update(User)
            .where(User.id == user.id)
            .values(password_hash=await passwords.hash("the-new-password"))
        )
        await db.commit()
        with pytest.raises(InvalidCredentials):
            await service.authenticate(
                db, passwords, username=name, password=old, client=None, session_digests=digests
            )
