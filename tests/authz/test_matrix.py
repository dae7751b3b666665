"""The authorization matrix: every route of the app against every actor, expected statuses
in matrix.toml; and message ids that are not yours answer exactly like missing ones."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import anyio
import httpx
import pytest
from fastapi import FastAPI, WebSocket
from fastapi.responses import StreamingResponse
from fastapi.routing import APIWebSocketRoute, iter_route_contexts
from sqlalchemy import delete, select, update
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute

from mailslot.accounts import minted
from mailslot.accounts.models import AccessToken, User
from mailslot.accounts.security import token_digest
from mailslot.accounts.service import Account
from mailslot.app import create_app
from mailslot.db.base import utcnow
from mailslot.exports import service as exports
from mailslot.jobs import service as jobs
from mailslot.keys import service as keys
from mailslot.keys.scopes import Scope
from mailslot.messages.models import Delivery
from mailslot.safety import reports
from mailslot.state import app_state
from tests.authz.matrix import (
    ACTORS,
    MATRIX,
    MATRIX_PATH,
    cases,
    fill,
    method_of,
    route_cases,
    target,
)
from tests.support.databases import make_settings
from tests.support.factories import (
    TestUser,
    make_server_key,
    make_user,
    send,
    unique_name,
)
from tests.support.people import deactivate, give_external_id
from tests.support.raw_asgi import Answer, call
from tests.webhooks.deliveries import add_delivery, make_endpoint

pytestmark = pytest.mark.anyio

MALFORMED = "Bearer not-a-token%%"


def route_keys(routes: list[BaseRoute]) -> Iterator[str]:
    """ "METHOD /path" for every route the app serves, included routers unfolded; HEAD
    rides along with GET."""
    for context in iter_route_contexts(routes):
        route = context.original_route
        if isinstance(route, WebSocketRoute | APIWebSocketRoute):
            yield f"WS {context.path}"
        elif isinstance(route, Route):
            methods = context.methods or {"ANY"}
            for method in sorted(methods - {"HEAD"} if "GET" in methods else methods):
                yield f"{method} {context.path}"
        elif isinstance(route, Mount):
            yield f"MOUNT {context.path}"
        else:
            yield f"{type(route).__name__} {context.path}"


def test_every_route_is_in_the_matrix(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path, f"sqlite+aiosqlite:///{tmp_path}/unused.db"))
    served = set(route_keys(app.routes))
    unlisted = sorted(served - MATRIX.keys())
    gone = sorted(MATRIX.keys() - served)
    assert not unlisted, f"add these routes to {MATRIX_PATH.name}: {unlisted}"
    assert not gone, f"these rows of {MATRIX_PATH.name} name no route: {gone}"
    for key in MATRIX:
        for case in route_cases(key):
            assert set(case.get("expect", {})) == set(ACTORS) or "skip" in case, key


@dataclass
class Cell:
    """The people of one cell: the target, a receiver, the acting credentials."""

    target: TestUser
    peer: TestUser
    message_id: int
    thread_id: int
    trashed_id: int
    authorization: str | None
    actor: str
    actor_password: str
    external_id: str
    token_id: str


async def _key_for(app: FastAPI, actor: str, scope: str | None) -> str:
    """A server key for a `key*` actor (matrix.toml says which)."""
    every = [s.value for s in Scope]
    scopes = [scope] if actor == "key" and scope else [s for s in every if s != scope]
    key = await make_server_key(app, *scopes)
    if actor == "key_revoked":
        async with app_state(app).sessions() as db:
            await keys.revoke_key(db, name=key.name)
            await db.commit()
    return f"Bearer {key.key}"


async def _set_up(
    app: FastAPI, client: httpx.AsyncClient, actor: str, scope: str | None = None
) -> Cell:
    alice, bob = await make_user(client), await make_user(client)
    sent = await send(client, bob, alice, subject="for the matrix")
    trashed_id = (await send(client, bob, alice, subject="for the trash"))["id"]
    trash = await client.delete(
        f"/users/{alice.username}/messages/{trashed_id}", headers=alice.headers
    )
    assert trash.status_code == 204
    target = alice
    authorization: str | None = f"Bearer {alice.token}"
    name, password = alice.username, alice.password
    host_id = await give_external_id(app, alice.username)
    async with app_state(app).sessions() as db:
        token_id = await db.scalar(
            select(AccessToken.token_id).where(AccessToken.token_hash == token_digest(alice.token))
        )
    if actor == "readonly":
        async with app_state(app).sessions() as db:
            reader = await minted.mint_token(db, external_id=host_id, scopes=["read"])
            await db.commit()
        authorization = f"Bearer {reader.access_token}"
    elif actor == "deactivated":
        await deactivate(app, host_id)
    elif actor == "other":
        carol = await make_user(client)
        authorization, name, password = f"Bearer {carol.token}", carol.username, carol.password
    elif actor == "none":
        authorization, name, password = None, "", ""
    elif actor.startswith("key"):
        authorization, name, password = await _key_for(app, actor, scope), "", ""
    elif actor == "malformed":
        authorization, name, password = MALFORMED, unique_name("not a name!"), "x"
    elif actor == "expired":
        async with app_state(app).sessions() as db:
            await db.execute(
                update(AccessToken)
                .where(AccessToken.token_hash == token_digest(alice.token))
                .values(expires_at=utcnow() - timedelta(seconds=1))
            )
            await db.commit()
        app_state(app).token_cache.clear()  # edited behind the service's back (no note sent)
    elif actor == "revoked":
        out = await client.delete(f"/users/{alice.username}/token", headers=alice.headers)
        assert out.status_code == 204
    elif actor == "deleted":
        dave = await make_user(client)
        async with app_state(app).sessions() as db:
            await db.execute(delete(User).where(User.username_key == dave.username.casefold()))
            await db.commit()
        app_state(app).token_cache.clear()
        target, authorization = dave, f"Bearer {dave.token}"
        name, password = dave.username, dave.password
    return Cell(
        target,
        bob,
        sent["id"],
        sent["thread_id"],
        trashed_id,
        authorization,
        name,
        password,
        host_id,
        str(token_id),
    )


async def _job_id(app: FastAPI) -> str:
    """A job of a kind no instance runs: it stays queued."""
    async with app_state(app).sessions() as db:
        job = await jobs.create_job(db, kind="matrix.probe", params={})
        await db.commit()
        return job.public_id


async def _export_id(app: FastAPI, username: str, origin: str) -> str:
    """An export of the user's mailbox, held by no instance that runs: it stays running.
    A made-up id for a user who is gone (their routes refuse before looking)."""
    async with app_state(app).sessions() as db:
        user_id = await db.scalar(select(User.id).where(User.username == username))
        if user_id is None:
            return "exp_gone"
        held = utcnow() + timedelta(hours=1)
        export, _ = await exports.start_export(db, user_id=user_id, origin=origin, held=held)
        await db.commit()
        return export.public_id


async def _report_id(app: FastAPI, message_id: int) -> int:
    """A report of the message by its receiver."""
    async with app_state(app).sessions() as db:
        row = (
            await db.execute(
                select(User.id, User.username, User.email, User.created_at)
                .join(Delivery, Delivery.receiver_id == User.id)
                .where(Delivery.message_id == message_id)
            )
        ).one()
        made, _ = await reports.report_message(
            db,
            reporter=Account(*row),
            message_id=message_id,
            reason="spam",
            note=None,
            data=lambda record: {},
        )
        await db.commit()
        return made.id


async def request_row(
    app: FastAPI, key: str, row: dict[str, Any], cell: Cell, *, message_id: int | None = None
) -> Answer:
    method = method_of(key)
    thread_id = cell.thread_id if message_id is None else message_id
    if message_id is None:
        message_id = cell.trashed_id if row.get("message") == "trashed" else cell.message_id
    values: dict[str, Any] = {
        "username": cell.target.username,
        "password": cell.target.password,
        "message_id": message_id,
        "thread_id": thread_id,
        "other": cell.peer.username,
        "fresh": unique_name("fresh"),
        "actor": cell.actor,
        "actor_password": cell.actor_password,
        "external_id": cell.external_id,
        "token_id": cell.token_id,
    }
    if "{other_external_id}" in json.dumps(row.get("json")):
        values["other_external_id"] = await give_external_id(app, cell.peer.username)
    if "{webhook_id}" in key:
        endpoint = await make_endpoint(app)
        values["webhook_id"] = endpoint.public_id
        values["event_id"] = await add_delivery(app, endpoint, status="failed", attempts=1)
    if "{job_id}" in key:
        values["job_id"] = await _job_id(app)
    if "{export_id}" in key:
        origin = row.get("export", "user")
        values["export_id"] = await _export_id(app, cell.target.username, origin)
    if "{report_id}" in key:
        values["report_id"] = await _report_id(app, cell.message_id)
    if row.get("login_first") and cell.actor:
        await call(
            app,
            "POST",
            "//login?" + urlencode({"username": cell.actor, "password": cell.actor_password}),
        )
    headers = {"Authorization": cell.authorization} if cell.authorization else {}
    body = b""
    if "json" in row:
        body = json.dumps(fill(row["json"], values)).encode()
        headers["Content-Type"] = "application/json"
    elif "form" in row:
        body = urlencode(fill(row["form"], values)).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    return await call(app, method, target(key, row, values), headers=headers, body=body)


CELLS = [
    pytest.param(key, number, actor, id=f"{key}-{number}-{actor}")
    for key, number, _ in cases()
    for actor in ACTORS
]


@pytest.mark.parametrize(("key", "number", "actor"), CELLS)
async def test_cell(app, client, dialect, key: str, number: int, actor: str) -> None:
    row = route_cases(key)[number]
    cell = await _set_up(app, client, actor, row.get("scope"))
    answer = await request_row(app, key, row, cell)
    expected = row["expect"][actor]
    assert answer.status == expected, f"{key} as {actor}: {answer.status} {answer.body[:300]!r}"
    if key.startswith("WS "):
        return  # a WebSocket refusal is a close code and a reason (the problem's code)
    if 400 <= answer.status < 500 and answer.body:
        assert answer.headers["content-type"] == "application/problem+json"
    if answer.status == 401 and answer.body:
        assert "www-authenticate" in answer.headers
        path = key.split(" ", 1)[1]
        if actor.startswith("key") and path.startswith("/users/"):
            assert answer.json()["code"] == "server_key_not_accepted"
        elif actor not in ("none", "key_revoked") and path.startswith("/server/"):
            assert answer.json()["code"] == "user_token_not_accepted"


# Routes naming a message or a thread by id, and the ids they must not tell apart. (Not
# the server API's: a key with mailbox:read reads any message; none is a stranger's.)
ID_ROUTES = [
    pytest.param(key, number, id=f"{key}-{number}")
    for key, number, _ in cases()
    if ("{message_id}" in key or "{thread_id}" in key) and " /server/" not in key
]
MISSING_ID = 8_999_999_999_999


def _normalised(answer: Answer, message_id: int) -> str:
    # The id as a whole word only: a random username may contain its digits.
    return re.sub(rf"\b{message_id}\b", "{id}", answer.body.decode())


@pytest.mark.parametrize(("key", "number"), ID_ROUTES)
async def test_not_yours_answers_exactly_like_missing(
    app, client, dialect, key: str, number: int
) -> None:
    row = route_cases(key)[number]
    cell = await _set_up(app, client, "self")
    alice, bob = cell.target, cell.peer
    carol = await make_user(client)
    not_yours = (await send(client, bob, carol, subject="not for alice"))["id"]
    own_deleted = (await send(client, bob, alice, subject="alice deletes"))["id"]
    gone = await client.delete(
        f"/users/{alice.username}/messages/{own_deleted}", headers=alice.headers
    )
    assert gone.status_code == 204
    unsent = (await send(client, bob, alice, subject="bob deletes for all"))["id"]
    gone = await client.delete(f"/users/{bob.username}/messages/{unsent}", headers=bob.headers)
    assert gone.status_code == 204

    missing = await request_row(app, key, row, cell, message_id=MISSING_ID)
    assert missing.status == 404
    assert missing.json()["code"] in ("message_not_found", "thread_not_found")
    expected = _normalised(missing, MISSING_ID)
    # A message in your trash is yours to restore: not a stranger's for that route.
    kinds = (
        (not_yours, unsent)
        if row.get("message") == "trashed"
        else (
            not_yours,
            own_deleted,
            unsent,
        )
    )
    for message_id in kinds:
        answer = await request_row(app, key, row, cell, message_id=message_id)
        assert answer.status == 404, message_id
        assert _normalised(answer, message_id) == expected
        assert answer.headers["content-type"] == missing.headers["content-type"]
    # The stranger's message is untouched.
    peek = await client.get(
        f"/users/{carol.username}/messages/{not_yours}",
        params={"mark_read": "false"},
        headers=carol.headers,
    )
    assert peek.status_code == 200
    assert peek.json()["read"] is False


async def test_the_runner_reads_streams_and_websockets() -> None:
    """Stream routes join the matrix when merged: the runner must read their cells."""
    probe = FastAPI()

    @probe.websocket("/ws/{verdict}")
    async def ws(websocket: WebSocket, verdict: str) -> None:
        if verdict == "no":
            await websocket.close(code=4401, reason="not_authenticated")
            return
        await websocket.accept()
        await websocket.receive_text()  # until the client hangs up

    @probe.get("/events")
    async def events() -> StreamingResponse:
        async def forever() -> AsyncIterator[bytes]:
            while True:
                yield b"data: tick\n\n"
                await anyio.sleep(0.01)

        return StreamingResponse(forever(), media_type="text/event-stream")

    assert (await call(probe, "WS", "/ws/yes")).status == 101
    refused = await call(probe, "WS", "/ws/no")
    assert refused.status == 401
    assert refused.body == b"not_authenticated"
    assert (await call(probe, "GET", "/events")).status == 200
    assert "WS /ws/{verdict}" in set(route_keys(probe.routes))
