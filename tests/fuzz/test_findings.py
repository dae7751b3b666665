"""What fuzzing found, pinned down on every engine: the API answers as its schema says."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD, inbox, make_user, send, unique_name

pytestmark = pytest.mark.anyio


async def test_nul_characters_never_reach_the_database(client, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    profile = await client.get("/users/a%00b", headers=alice.headers)
    assert profile.status_code == 404
    sign_in = await client.post("/users/a%00b/token", json={"password": PASSWORD})
    assert sign_in.status_code == 401
    form = await client.post("/token", data={"username": "a\x00b", "password": PASSWORD})
    assert form.status_code == 401
    for field in ("subject", "message"):
        body = {"receiver": bob.username, "subject": "s", "message": "m", field: "a\x00b"}
        sent = await client.post(
            f"/users/{alice.username}/messages", json=body, headers=alice.headers
        )
        assert sent.status_code == 422, field
    unknown = await client.post(
        f"/users/{alice.username}/messages",
        json={"receivers": ["a\x00b"], "subject": "s", "message": "m"},
        headers=alice.headers,
    )
    assert unknown.status_code == 422
    assert await inbox(client, bob) == []


async def test_special_use_email_domains_register(client, dialect) -> None:
    name = unique_name()
    for email in (f"{name}@example.test", f"{name}@mail.internal"):
        created = await client.post(
            "/users",
            json={"username": unique_name(), "email": email, "password": PASSWORD},
        )
        assert created.status_code == 201, created.text


async def test_bulk_ids_must_be_integers(client, dialect) -> None:
    alice = await make_user(client)
    for ids in ([False], ["1"], [1.5]):
        answer = await client.patch(
            f"/users/{alice.username}/messages",
            json={"ids": ids, "read": True},
            headers=alice.headers,
        )
        assert answer.status_code == 422, ids


@pytest.mark.parametrize(
    ("value", "status"),
    [("true", 200), ("True", 200), ('"true"', 200), ("0", 200), ("TRUE", 422), ("yes", 422)],
)
async def test_flags_take_the_documented_forms_only(client, dialect, value, status) -> None:
    alice = await make_user(client)
    answer = await client.get(
        f"/users/{alice.username}/messages", params={"unread": value}, headers=alice.headers
    )
    assert answer.status_code == status


async def test_blank_subjects_are_refused_and_spaced_ones_kept(client, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    blank = await client.post(
        f"/users/{alice.username}/messages",
        json={"receiver": bob.username, "subject": " \t ", "message": "m"},
        headers=alice.headers,
    )
    assert blank.status_code == 422
    kept = await send(client, alice, bob, subject=" padded ")
    assert kept["subject"] == " padded "


async def test_405_names_every_method_of_the_path(client) -> None:
    answer = await client.put("/users/someone/messages")
    assert answer.status_code == 405
    assert answer.headers["allow"] == "GET, PATCH, POST"
    one = await client.put("/users/someone/messages/1")
    assert one.headers["allow"] == "DELETE, GET, PATCH"


async def test_every_error_is_documented_as_problem_json(client) -> None:
    spec = (await client.get("/openapi.json")).json()
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            for status, response in responses.items():
                if int(status) >= 400:
                    assert list(response["content"]) == ["application/problem+json"], (
                        method,
                        path,
                        status,
                    )
            if "requestBody" in operation:
                assert {"400", "413", "415", "422", "503"} <= set(responses), (method, path)
            for status in {"429", "503"} & set(responses):
                assert "Retry-After" in responses[status]["headers"]


@pytest.mark.parametrize("value", ["0.5", "1700000000", "1e9"])
async def test_instants_are_iso_8601_not_numbers(client, dialect, value) -> None:
    alice = await make_user(client)
    answer = await client.get(
        f"/users/{alice.username}/messages", params={"before": value}, headers=alice.headers
    )
    assert answer.status_code == 422
    fine = await client.get(
        f"/users/{alice.username}/messages",
        params={"before": "2026-11-21T09:30:00Z"},
        headers=alice.headers,
    )
    assert fine.status_code == 200
