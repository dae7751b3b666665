"""Rules at the edges: body limits, media types, problem bodies, headers, probes, OpenAPI."""

from __future__ import annotations

import http.client
import json
import sqlite3
from collections.abc import AsyncIterator

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import APIRouter, FastAPI

from mailslot.app import create_app
from mailslot.config import Settings
from mailslot.messages.schemas import MAX_BODY, MAX_RECEIVERS, MAX_SUBJECT
from tests.compat.seed_a import make_seed_a_user, seed_a
from tests.support.factories import PASSWORD, inbox, make_user
from tests.support.servers import MailslotServer

pytestmark = pytest.mark.anyio

LIMIT = Settings().max_body_bytes


async def test_oversized_body_with_content_length_gets_413(client, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    body = b'{"receiver": "%s", "subject": "s", "message": "%s"}' % (
        bob.username.encode(),
        b"x" * LIMIT,
    )
    response = await client.post(
        f"/users/{alice.username}/messages",
        content=body,
        headers=alice.headers | {"Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert await inbox(client, bob) == []


async def test_oversized_chunked_body_gets_413(client, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"receiver": "%s", "subject": "s", "message": "' % bob.username.encode()
        for _ in range(LIMIT // 8192 + 1):
            yield b"x" * 8192
        yield b'"}'

    response = await client.post(
        f"/users/{alice.username}/messages",
        content=chunks(),
        headers=alice.headers | {"Content-Type": "application/json"},
    )
    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert await inbox(client, bob) == []


EMOJI = "\N{GRINNING FACE}"  # outside the BMP: 4 bytes in UTF-8, 12 as \uD83D\uDE00


def escaped(text: str) -> str:
    """`text` as a JSON string with every character a \\u escape (astral ones as
    surrogate pairs): the longest form any JSON encoder writes."""
    units = text.encode("utf-16-be")
    pairs = (units[i : i + 2].hex() for i in range(0, len(units), 2))
    return '"' + "".join(f"\\u{pair}" for pair in pairs) + '"'


def test_the_largest_valid_message_fits_the_body_limit_in_any_encoding() -> None:
    receivers = ", ".join(escaped("r" * 64) for _ in range(MAX_RECEIVERS))
    body = (
        f'{{"receivers": [{receivers}], "subject": {escaped(EMOJI * MAX_SUBJECT)}, '
        f'"message": {escaped(EMOJI * MAX_BODY)}, "reply_to": {2**63 - 1}}}'
    )
    assert json.loads(body)["message"] == EMOJI * MAX_BODY
    assert len(body.encode()) <= LIMIT


async def test_the_documented_body_limit_holds_in_any_json_encoding(client, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    fields = {"receiver": bob.username, "subject": EMOJI * MAX_SUBJECT, "message": EMOJI * MAX_BODY}
    for ensure_ascii in (True, False):  # True, json.dumps' default: \uD83D\uDE00
        sent = await client.post(
            f"/users/{alice.username}/messages",
            content=json.dumps(fields, ensure_ascii=ensure_ascii).encode(),
            headers=alice.headers | {"Content-Type": "application/json"},
        )
        assert sent.status_code == 201, sent.text[:200]
        assert sent.json()["message"] == EMOJI * MAX_BODY
    seed_a_user, receiver = await make_seed_a_user(client), await make_seed_a_user(client)
    written = await seed_a(
        client,
        "POST",
        f"//message?{seed_a_user.credentials}&request=write",
        seed_a_user.message(receiver, subject=EMOJI * MAX_SUBJECT, message=EMOJI * MAX_BODY),
    )
    assert written.status_code == 201, written.text[:200]


async def test_malformed_json_gets_400(client, dialect) -> None:
    alice = await make_user(client)
    response = await client.post(
        f"/users/{alice.username}/messages",
        content=b'{"receiver": ',
        headers=alice.headers | {"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_json"


async def test_a_body_that_is_not_json_gets_415(client, dialect) -> None:
    response = await client.post(
        "/users",
        content=b"username=a&password=b",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


async def test_json_without_a_content_type_is_read_as_json(client, dialect) -> None:
    user = await make_user(client)
    response = await client.post(
        f"/users/{user.username}/token", content=b'{"password": "correct horse battery"}'
    )
    assert response.status_code == 200


@pytest.mark.parametrize("body", [b"[]", b'"text"', b"null", b"42"])
async def test_json_that_is_not_an_object_gets_422(client, dialect, body) -> None:
    response = await client.post(
        "/users", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422


async def test_unknown_paths_and_methods_get_problems(client) -> None:
    missing = await client.get("/nowhere")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.json()["code"] == "not_found"
    wrong = await client.put("/users")
    assert wrong.status_code == 405
    assert wrong.json()["code"] == "method_not_allowed"
    assert "POST" in wrong.headers["allow"]


async def test_every_answer_carries_safe_headers(client, dialect) -> None:
    user = await make_user(client)
    for response in (
        await client.get("/healthz"),
        await client.get(f"/users/{user.username}/messages", headers=user.headers),
        await client.get("/nowhere"),
    ):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-request-id"]


async def test_a_client_request_id_is_echoed_and_a_bad_one_replaced(client) -> None:
    echoed = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert echoed.headers["x-request-id"] == "abc-123"
    replaced = await client.get("/healthz", headers={"X-Request-ID": "bad id\twith junk"})
    assert replaced.headers["x-request-id"] != "bad id\twith junk"


async def test_unexpected_errors_give_a_500_without_internals(settings, caplog) -> None:
    app = create_app(settings)

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internal detail /srv/mailslot/file.py")

    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            response = await client.get("/boom")
    assert response.status_code == 500
    body = response.json()
    assert body["code"] == "internal_error"
    assert "secret" not in response.text
    assert "Traceback" not in response.text
    assert ".py" not in response.text
    assert body["request_id"]
    assert body["request_id"] in caplog.text


def failing_app(settings: Settings) -> FastAPI:
    """The real app and one more route, this test's own, that fails unexpectedly."""
    app = create_app(settings)
    router = APIRouter()

    @router.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internal detail")

    app.include_router(router)
    return app


async def test_an_unexpected_error_passes_through_the_edge(settings, dialect, caplog) -> None:
    app = failing_app(settings)
    async with LifespanManager(app):
        # raise_app_exceptions left on: the error must end in the 500, not escape the app.
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            response = await client.get("/boom", headers={"X-Request-ID": "boom-1"})
            after = await client.get("/healthz")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "internal_error"
    assert response.headers["x-request-id"] == "boom-1"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
    assert caplog.text.count("unhandled error (request boom-1)") == 1  # logged once
    assert after.status_code == 200


@pytest.mark.process
@pytest.mark.timeout(60)
def test_a_500_from_a_real_server_keeps_the_connection_and_the_headers(tmp_path) -> None:
    """A fault the code does not expect, in a real `mailslot serve`: the database refuses
    every new message (a trigger), which is neither bad input nor an outage."""
    with MailslotServer(tmp_path / "data") as server:
        base = server.url
        for name in ("alice", "bob"):
            created = httpx.post(
                f"{base}/users",
                json={"username": name, "email": f"{name}@example.com", "password": PASSWORD},
            )
            assert created.status_code == 201
        token = httpx.post(f"{base}/users/alice/token", json={"password": PASSWORD})
        with sqlite3.connect(tmp_path / "data" / "mailslot.db") as db:
            db.execute(
                "CREATE TRIGGER fault BEFORE INSERT ON message "
                "BEGIN SELECT RAISE(ABORT, 'injected fault'); END"
            )
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        connection.request(
            "POST",
            "/users/alice/messages",
            body=json.dumps({"receiver": "bob", "subject": "s", "message": "m"}),
            headers={
                "Authorization": f"Bearer {token.json()['access_token']}",
                "Content-Type": "application/json",
            },
        )
        failed = connection.getresponse()
        body = json.loads(failed.read())
        sock = connection.sock
        connection.request("GET", "/healthz")
        after = connection.getresponse()
        after.read()
        same_connection = connection.sock is sock
        connection.close()
    assert failed.status == 500
    assert body["code"] == "internal_error"
    assert failed.getheader("x-request-id") == body["request_id"]
    assert failed.getheader("x-content-type-options") == "nosniff"
    assert failed.getheader("connection") != "close"
    # The same connection answers the next request.
    assert after.status == 200
    assert same_connection
    log = server.log()
    assert "POST /users/{username}/messages 500" in log
    assert "injected fault" in log


@pytest.mark.parametrize(
    "target",
    [
        "//login/?username=someone&password=CANARY-secret",
        "/login/?username=someone&password=CANARY-secret",
        "//messages/?username=someone&password=CANARY-secret&request=get_all",
        "/users/someone/events/?ticket=CANARY-secret",
        "/users/someone/messages/?cursor=CANARY-secret",
    ],
)
async def test_a_trailing_slash_is_not_redirected_with_the_query(client, target) -> None:
    base = str(client.base_url).rstrip("/")
    for method in ("GET", "POST"):
        response = await client.request(method, base + target)
        assert "location" not in response.headers, (method, target)
        assert "CANARY" not in str(response.headers)
        assert response.status_code == 404, (method, target)
        assert response.json()["code"] == "not_found"


async def test_probes(client, dialect) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    assert (await client.get("/readyz")).json() == {"status": "ok"}


async def test_readyz_reports_an_unreachable_database(tmp_path) -> None:
    from tests.support.databases import make_settings

    settings = make_settings(tmp_path, "postgresql+asyncpg://postgres@127.0.0.1:1/none")
    app = create_app(settings)
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            response = await client.get("/readyz")
            login = await client.post("/users/someone/token", json={"password": "whatever1"})
    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    assert login.status_code == 503
    assert login.json()["code"] == "database_unavailable"


async def test_openapi_documents_every_status_a_route_answers(client) -> None:
    spec = (await client.get("/openapi.json")).json()
    operations = {
        (method.upper(), path): operation
        for path, item in spec["paths"].items()
        for method, operation in item.items()
    }
    expected = {
        ("POST", "/users"): {"201", "409", "422"},
        ("POST", "/users/{username}/token"): {"200", "401", "422"},
        ("POST", "/users/{username}/messages"): {"201", "401", "403", "413", "422"},
        ("GET", "/users/{username}/messages"): {"200", "400", "401", "403", "422"},
        ("GET", "/users/{username}/messages/{message_id}"): {"200", "401", "403", "404"},
        ("PATCH", "/users/{username}/messages/{message_id}"): {"200", "401", "403", "404", "422"},
        ("DELETE", "/users/{username}/messages/{message_id}"): {"204", "401", "403", "404"},
        ("PATCH", "/users/{username}/messages"): {"200", "401", "403", "422"},
        ("GET", "/users/{username}/unread"): {"200", "401", "403"},
        ("DELETE", "/users/{username}/token"): {"204", "401", "403"},
    }
    for key, statuses in expected.items():
        assert statuses <= set(operations[key]["responses"]), key
    for (method, path), operation in operations.items():
        if path.startswith(("/users", "//")) or path == "/token":
            assert "503" in operation["responses"], (method, path)
        if "requestBody" in operation and path != "/token":
            assert {"400", "413", "415", "422"} <= set(operation["responses"]), (method, path)
    assert (
        spec["components"]["securitySchemes"]["OAuth2PasswordBearer"]["flows"]["password"][
            "tokenUrl"
        ]
        == "/token"
    )
    docs = await client.get("/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()
