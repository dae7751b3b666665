"""accounts/admin.py, what the `mailslot user` commands do, on the database: searching,
the system account kept out, deactivation once, and a reset that ends every session.
(tests/cli/ runs the commands as processes beside a server.)"""

from __future__ import annotations

import pytest
from sqlalchemy import update

from mailslot.accounts import admin
from mailslot.accounts.models import User
from mailslot.accounts.system import system_account
from mailslot.errors import Unprocessable, UserNotFound
from mailslot.state import app_state
from tests.support.factories import make_user, unique_name

pytestmark = pytest.mark.anyio


async def test_search_matches_any_name_whatever_the_case_and_escapes_wildcards(app, client) -> None:
    marked, plain = await make_user(client), await make_user(client)
    tag = unique_name("t")
    async with app_state(app).sessions() as db:
        await db.execute(
            update(User).where(User.username == marked.username).values(display_name=f"{tag} 100%")
        )
        await db.execute(
            update(User).where(User.username == plain.username).values(display_name=f"{tag} 1000")
        )
        await db.commit()
        found, more = await admin.list_users(db, search=f"{tag.upper()} 100%")
        assert ([u.username for u in found], more) == ([marked.username], False)
        found, _ = await admin.list_users(db, search=f"{tag} 10_0")
        assert found == []
        found, more = await admin.list_users(db, search=tag, limit=1)
        assert ([u.username for u in found], more) == ([marked.username], True)


async def test_the_system_account_is_no_user_to_operate_on(app) -> None:
    async with app_state(app).sessions() as db:
        system = await system_account(db, display_name="Platform")
        await db.commit()
        listed, _ = await admin.list_users(db, search=system.username)
        assert listed == []
        with pytest.raises(UserNotFound):
            await admin.get_user(db, username=system.username)


async def test_deactivation_happens_once_and_ends_every_session(app, client) -> None:
    user = await make_user(client)
    headers = user.headers
    async with app_state(app).sessions() as db:
        found = await admin.get_user(db, username=user.username.upper())
        assert (await admin.count_sessions(db, found.id)).tokens == 1
        assert await admin.deactivate(db, found.id) is not None
        assert await admin.deactivate(db, found.id) is None
        await db.commit()
        assert (await admin.count_sessions(db, found.id)).tokens == 0
        assert await admin.reactivate(db, found.id) is True
        assert await admin.reactivate(db, found.id) is False
        await db.commit()
    await app_state(app).token_cache.forget_user(found.id)
    assert (await client.get(f"/users/{user.username}", headers=headers)).status_code == 401


async def test_a_reset_refuses_a_password_registration_refuses(app, client) -> None:
    user = await make_user(client)
    state = app_state(app)
    async with state.sessions() as db:
        found = await admin.get_user(db, username=user.username)
        with pytest.raises(Unprocessable):
            await admin.reset_password(db, state.passwords, user_id=found.id, password="short")
        assert (
            await admin.reset_password(
                db, state.passwords, user_id=found.id, password="long enough now"
            )
            == 1
        )
        await db.commit()
    signed_in = await client.post(
        f"/users/{user.username}/token", json={"password": "long enough now"}
    )
    assert signed_in.status_code == 200
