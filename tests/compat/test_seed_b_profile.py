"""MAILSLOT_COMPAT=seed-b: seed B's published client, replayed as written, and its envelope."""

from __future__ import annotations

import json
from email.utils import parsedate_to_datetime
from typing import Any

import pytest

from tests.compat.conftest import AppClient

# Each test migrates a database of its own (a PostgreSQL one takes seconds).
pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]

PROFILE: dict[str, Any] = {"compat": "seed-b", "password_min_length": 6}

# The six requests of seed B's published client, as its author wrote them: the Postman
# collection Messaging.postman_collection.json of nissy34/Herolo-messaging-system (host
# dropped). Its bearer token is one the server gave in 2020: the replay uses the one this
# server gives, read from `result` as the collection's users did.
REGISTER = (
    "POST",
    "/users",
    '{\n\t"username":"testuser",\n\t"email":"ee@gmail.com",\n\t"password":"123456"\n}',
)
TOKEN = ("POST", "/users/testuser/token", '{\n\t"password":"123456"\n}')
SEND = (
    "POST",
    "/users/testuser/message",
    '{\n\t"receiver":"lasttestuser",\n\t"subject":"test111",\n\t"message":"test2222"\n}',
)
LIST = ("GET", "/users/testuser/messages?unread=true&per_page=1&page=1", None)
READ = ("PATCH", "/users/testuser/messages/3", '{\n\t"read":true\n}')
DELETE = ("DELETE", "/users/testuser/messages/3", None)


async def replay(client, request: tuple[str, str, str | None], token: str | None = None):
    method, path, raw = request
    headers = {"Content-Type": "application/json"} if raw is not None else {}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return await client.request(method, path, content=raw, headers=headers)


async def seed_b_user(client, username: str, email: str) -> str:
    """Register through seed B's route and return the token its `result` carries."""
    body = {"username": username, "email": email, "password": "654321"}
    assert (await client.post("/users", json=body)).status_code == 201
    answer = await client.post(f"/users/{username}/token", json={"password": "654321"})
    token: str = answer.json()["result"]
    return token


async def test_the_published_client_replayed_as_written_succeeds(
    app_client: AppClient, dialect
) -> None:
    async with app_client(**PROFILE) as client:
        registered = await replay(client, REGISTER)
        assert registered.status_code == 201
        assert registered.json() == {"statusCode": 201, "message": "OK", "result": "testuser"}
        token_answer = await replay(client, TOKEN)
        assert token_answer.status_code == 200
        assert (token_answer.json()["statusCode"], token_answer.json()["message"]) == (201, "OK")
        token = token_answer.json()["result"]
        assert isinstance(token, str)
        assert token

        # The collection's receiver, and three messages to testuser so that message 3,
        # which the collection reads and deletes, is one testuser received.
        other = await seed_b_user(client, "lasttestuser", "last@example.com")
        for number in (1, 2, 3):
            sent = await client.post(
                "/users/lasttestuser/message",
                json={"receiver": "testuser", "subject": f"s{number}", "message": f"m{number}"},
                headers={"Authorization": f"Bearer {other}"},
            )
            assert sent.json() == {"statusCode": 201, "message": "OK", "result": number}

        sent = await replay(client, SEND, token)
        assert sent.status_code == 201
        assert sent.json() == {"statusCode": 201, "message": "OK", "result": 4}

        listed = await replay(client, LIST, token)
        assert listed.status_code == 200
        page = listed.json()
        assert (page["statusCode"], page["message"]) == (200, "OK")
        [newest] = page["result"]
        assert set(newest) == {"id", "sender", "receiver", "subject", "message", "creation_date"}
        assert (newest["id"], newest["sender"], newest["receiver"]) == (
            3,
            "lasttestuser",
            "testuser",
        )
        assert (newest["subject"], newest["message"]) == ("s3", "m3")
        assert parsedate_to_datetime(newest["creation_date"]).tzinfo is not None

        read = await replay(client, READ, token)
        assert read.status_code == 200
        assert read.json()["result"] == newest
        unread = await client.get(
            "/users/testuser/messages?unread=true", headers={"Authorization": f"Bearer {token}"}
        )
        assert [m["id"] for m in unread.json()["result"]] == [2, 1]

        deleted = await replay(client, DELETE, token)
        assert deleted.status_code == 200
        assert deleted.json() == {"statusCode": 200, "message": "OK"}
        left = await client.get(
            "/users/testuser/messages", headers={"Authorization": f"Bearer {token}"}
        )
        assert [m["id"] for m in left.json()["result"]] == [2, 1]
        # lasttestuser received the collection's message.
        inbox = await client.get(
            "/users/lasttestuser/messages", headers={"Authorization": f"Bearer {other}"}
        )
        assert [(m["id"], m["sender"], m["subject"]) for m in inbox.json()["result"]] == [
            (4, "testuser", "test111")
        ]


async def test_errors_answer_in_the_envelope_with_their_status(
    app_client: AppClient, dialect
) -> None:
    async with app_client(**PROFILE) as client:
        token = await seed_b_user(client, "erroruser", "error@example.com")
        auth = {"Authorization": f"Bearer {token}"}
        wrong = await client.post("/users/erroruser/token", json={"password": "not it"})
        assert wrong.status_code == 401
        assert wrong.headers["content-type"] == "application/json"
        assert wrong.headers["www-authenticate"] == "Bearer"
        assert wrong.json() == {
            "statusCode": 401,
            "message": "The username or password is incorrect.",
            "code": "invalid_credentials",
        }
        taken = await client.post(
            "/users", json={"username": "erroruser", "email": "x@example.com", "password": "123456"}
        )
        assert (taken.status_code, taken.json()["statusCode"]) == (409, 409)
        assert "result" not in taken.json()
        unknown = await client.post(
            "/users/erroruser/message",
            json={"receiver": "nobody-here", "subject": "s", "message": "m"},
            headers=auth,
        )
        assert (unknown.status_code, unknown.json()["statusCode"]) == (422, 422)
        assert unknown.json()["code"] == "unknown_receiver"
        missing = await client.patch(
            "/users/erroruser/messages/999999", json={"read": True}, headers=auth
        )
        assert (missing.status_code, missing.json()["statusCode"]) == (404, 404)
        assert missing.json()["code"] == "message_not_found"
        short = await client.post(
            "/users", json={"username": "shortpw", "email": "s@example.com", "password": "12345"}
        )
        assert (short.status_code, short.json()["statusCode"]) == (422, 422)
        assert short.json()["errors"][0]["pointer"] == "/body/password"


async def test_only_seed_b_routes_change_and_the_web_page_opts_out(
    app_client: AppClient, dialect
) -> None:
    async with app_client(**PROFILE) as client:
        token = await seed_b_user(client, "nativeuser", "native@example.com")
        auth = {"Authorization": f"Bearer {token}"}
        me = await client.get("/users/nativeuser", headers=auth)
        assert me.json()["username"] == "nativeuser"  # not seed B's route: unchanged
        plural = await client.post(
            "/users/nativeuser/messages",
            json={"receiver": "nativeuser", "subject": "s", "message": "m"},
            headers=auth,
        )
        assert plural.json()["receivers"] == ["nativeuser"]  # seed B never served it
        native = await client.get(
            "/users/nativeuser/messages", headers={**auth, "Mailslot-Envelope": "none"}
        )
        assert [m["id"] for m in native.json()["messages"]] == [plural.json()["id"]]
        gone = await client.delete(
            f"/users/nativeuser/messages/{plural.json()['id']}",
            headers={**auth, "Mailslot-Envelope": "none"},
        )
        assert gone.status_code == 204


async def test_without_the_profile_the_singular_route_sends_natively(
    app_client: AppClient, dialect
) -> None:
    async with app_client() as client:
        too_short = await replay(client, REGISTER)
        assert too_short.status_code == 422  # the default minimum is 8
        assert too_short.headers["content-type"] == "application/problem+json"
        for name in ("nativeone", "nativetwo"):
            body = {"username": name, "email": f"{name}@example.com", "password": "a-password"}
            assert (await client.post("/users", json=body)).status_code == 201
        token = await client.post("/users/nativeone/token", json={"password": "a-password"})
        sent = await client.post(
            "/users/nativeone/message",
            content=json.dumps({"receiver": "nativetwo", "subject": "s", "message": "m"}),
            headers={
                "Authorization": f"Bearer {token.json()['access_token']}",
                "Content-Type": "application/json",
            },
        )
        assert sent.status_code == 201
        assert (sent.json()["sender"], sent.json()["receivers"]) == ("nativeone", ["nativetwo"])
