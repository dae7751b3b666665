"""Server keys: made, listed and revoked with `mailslot keys`; accepted only under
/server, with the scope an operation needs; revoked at once on every instance."""

from __future__ import annotations

import base64
import json
import re

import pytest
from asgi_lifespan import LifespanManager
from fastapi import APIRouter
from sqlalchemy import select, text

from mailslot.app import create_app
from mailslot.keys.models import ServerKey
from mailslot.serverapi.deps import UsersWriter
from mailslot.state import app_state
from tests.support.databases import make_settings
from tests.support.factories import make_server_key, make_user, unique_name
from tests.support.instances import mailslot, serving

pytestmark = pytest.mark.anyio

KEY = re.compile(r"^msk_([A-Za-z0-9_-]{43})$")


async def test_a_key_is_printed_once_and_stored_only_as_its_hash(app, client, environment) -> None:
    name = unique_name("shop")
    made = await mailslot(environment, "keys", "create", "--name", name, "--scope", "users:write")
    assert made.exit_code == 0, made.output
    key = made.stdout.strip()
    secret = KEY.match(key)
    assert secret, key
    assert len(base64.urlsafe_b64decode(secret.group(1) + "=")) * 8 >= 256

    async with app_state(app).sessions() as db:
        row = (await db.scalars(select(ServerKey).where(ServerKey.name == name))).one()
        dump = " ".join(map(str, (await db.execute(text("SELECT * FROM server_key"))).all()))
    assert key not in dump
    assert secret.group(1) not in dump
    assert row.scopes == "users:write"
    assert row.revoked_at is None

    listed = await mailslot(environment, "keys", "list")
    assert listed.exit_code == 0, listed.output
    line = next(line for line in listed.stdout.splitlines() if name in line)
    assert "users:write" in line
    assert key not in listed.stdout
    assert secret.group(1)[:8] not in listed.stdout

    as_json = await mailslot(environment, "keys", "list", "--json")
    assert as_json.exit_code == 0, as_json.output
    (listed_key,) = [k for k in json.loads(as_json.stdout) if k["name"] == name]
    assert listed_key["scopes"] == ["users:write"]
    assert listed_key["revoked_at"] is None
    assert key not in as_json.stdout

    answer = await client.get("/server/key", headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"name": name, "scopes": ["users:write"]}
    listed = await mailslot(environment, "keys", "list")
    line = next(line for line in listed.stdout.splitlines() if name in line)
    assert re.search(r"\d\d:\d\dZ\s+-\s*$", line), line  # last used now, not revoked


async def test_the_command_refuses_what_it_cannot_make(environment) -> None:
    name = unique_name("shop")
    for args, why in [
        (["--name", name, "--scope", "nope"], "unknown scope 'nope'"),
        (["--name", name], "Missing option '--scope'"),
        (["--name", "a b", "--scope", "moderation"], "is not a key name"),
    ]:
        refused = await mailslot(environment, "keys", "create", *args)
        assert refused.exit_code != 0
        assert why in refused.output, refused.output
    made = await mailslot(environment, "keys", "create", "--name", name, "--scope", "moderation")
    assert made.exit_code == 0
    again = await mailslot(environment, "keys", "create", "--name", name, "--scope", "moderation")
    assert again.exit_code == 4  # conflict (docs/cli.md, exit codes)
    assert "exists" in again.output
    gone = await mailslot(environment, "keys", "revoke", unique_name("never"))
    assert gone.exit_code == 3  # not found
    assert "no active key" in gone.output


async def test_keys_and_tokens_each_stay_on_their_side(app, client) -> None:
    alice = await make_user(client)
    key = await make_server_key(app, "users:write", "mailbox:read")

    answer = await client.get("/server/key", headers=alice.headers)
    assert answer.status_code == 401
    assert answer.json()["code"] == "user_token_not_accepted"
    assert answer.headers["www-authenticate"] == "Bearer"

    answer = await client.get("/server/key")
    assert (answer.status_code, answer.json()["code"]) == (401, "not_authenticated")

    forged = "msk_" + "A" * 43
    answer = await client.get("/server/key", headers={"Authorization": f"Bearer {forged}"})
    assert (answer.status_code, answer.json()["code"]) == (401, "invalid_server_key")

    for method, path in [
        ("GET", f"/users/{alice.username}/messages"),
        ("GET", f"/users/{alice.username}"),
        ("POST", f"/users/{alice.username}/stream-tickets"),
        ("GET", f"/users/{alice.username}/events"),
        ("DELETE", f"/users/{alice.username}/token"),
    ]:
        answer = await client.request(method, path, headers=key.headers)
        assert answer.status_code == 401, (path, answer.text)
        assert answer.json()["code"] == "server_key_not_accepted", path


async def test_a_scope_the_key_lacks_is_named(settings, tmp_path) -> None:
    """An instance with one more route under /server that needs `users:write`."""
    instance = create_app(settings.model_copy(update={"data_dir": tmp_path}))
    probe = APIRouter()

    @probe.get("/server/probe")
    async def needs_users_write(key: UsersWriter) -> dict[str, str]:
        return {"key": key.name}

    instance.include_router(probe)
    async with LifespanManager(instance), serving(instance) as client:
        holder = await make_server_key(instance, "users:write")
        lacking = await make_server_key(instance, "mailbox:read", "tokens:mint")
        answer = await client.get("/server/probe", headers=holder.headers)
        assert answer.json() == {"key": holder.name}
        answer = await client.get("/server/probe", headers=lacking.headers)
        assert answer.status_code == 403
        problem = answer.json()
        assert problem["code"] == "insufficient_scope"
        assert "users:write" in problem["detail"]
        assert "mailbox:read" in problem["detail"]


async def test_revocation_holds_at_once_on_every_instance(
    app, client, settings, environment, tmp_path
) -> None:
    """Two instances over one database: a revocation is refused by both from the moment
    the command returns (no cache to expire), and the other keys keep working (rotation)."""
    old = await make_server_key(app, "users:write")
    new = await make_server_key(app, "users:write")
    other = create_app(settings.model_copy(update={"data_dir": tmp_path}))
    async with LifespanManager(other), serving(other) as second:
        for instance in (client, second):
            assert (await instance.get("/server/key", headers=old.headers)).status_code == 200
        revoked = await mailslot(environment, "keys", "revoke", old.name)
        assert revoked.exit_code == 0, revoked.output
        for instance in (client, second):
            answer = await instance.get("/server/key", headers=old.headers)
            assert (answer.status_code, answer.json()["code"]) == (401, "invalid_server_key")
            assert (await instance.get("/server/key", headers=new.headers)).status_code == 200


async def test_each_key_has_a_budget_of_its_own(database_url, tmp_path) -> None:
    settings = make_settings(tmp_path, database_url, rate_limits="on", limit_server_key="3, 1/h")
    limited = create_app(settings)
    async with LifespanManager(limited), serving(limited) as client:
        one = await make_server_key(limited, "users:write")
        two = await make_server_key(limited, "users:write")
        for _ in range(3):
            assert (await client.get("/server/key", headers=one.headers)).status_code == 200
        spent = await client.get("/server/key", headers=one.headers)
        assert spent.status_code == 429
        assert "retry-after" in spent.headers
        assert spent.json()["code"] == "rate_limited"
        assert (await client.get("/server/key", headers=two.headers)).status_code == 200
