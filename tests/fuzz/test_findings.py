"""What fuzzing found, pinned down on every engine: the API answers as its schema says."""

from __future__ import annotations

import pytest

from tests.compat.seed_a import make_seed_a_user, seed_a
from tests.support.factories import PASSWORD, inbox, make_user, send, unique_name

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


async def test_bulk_ids_written_as_whole_numbers_are_integers(client, dialect) -> None:
    """JSON Schema's integer, which the document promises: 2.0 and 1e3 are integers."""
    alice, bob = await make_user(client), await make_user(client)
    sent = await send(client, bob, alice)
    answer = await client.patch(
        f"/users/{alice.username}/messages",
        content=f'{{"ids": [{sent["id"]}.0, 1e3], "read": true}}',
        headers=alice.headers | {"Content-Type": "application/json"},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["updated"] == [sent["id"]]


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


def pointers(answer) -> list[str]:
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    body = answer.json()
    assert body["code"] == "validation_failed"
    return [error["pointer"] for error in body["errors"]]


@pytest.mark.parametrize("value", [2**63, 2**64, -(2**63) - 1, 0, -1])
async def test_bulk_ids_out_of_range_name_the_field(client, dialect, value) -> None:
    alice = await make_user(client)
    answer = await client.patch(
        f"/users/{alice.username}/messages",
        json={"ids": [1, value], "read": True},
        headers=alice.headers,
    )
    assert pointers(answer) == ["/body/ids/1"]


@pytest.mark.parametrize("value", [2**63, 2**64, -(2**63) - 1])
async def test_reply_to_out_of_range_names_the_field(client, dialect, value) -> None:
    alice, bob = await make_user(client), await make_user(client)
    answer = await client.post(
        f"/users/{alice.username}/messages",
        json={"receiver": bob.username, "subject": "s", "message": "m", "reply_to": value},
        headers=alice.headers,
    )
    assert pointers(answer) == ["/body/reply_to"]


@pytest.mark.parametrize("value", [str(2**63), str(2**64), "0"])
async def test_ids_in_paths_and_queries_out_of_range_name_the_field(client, dialect, value) -> None:
    alice = await make_user(client)
    base = f"/users/{alice.username}"
    for method, target, pointer in [
        ("GET", f"{base}/messages/{value}", "/path/message_id"),
        ("DELETE", f"{base}/messages/{value}", "/path/message_id"),
        ("POST", f"{base}/messages/{value}/restore", "/path/message_id"),
        ("GET", f"{base}/threads/{value}", "/path/thread_id"),
        ("GET", f"{base}/messages?thread={value}", "/query/thread"),
    ]:
        answer = await client.request(method, target, headers=alice.headers)
        assert pointers(answer) == [pointer], (method, target)


@pytest.mark.parametrize("value", [str(2**63), str(2**64), "-1"])
async def test_sequence_numbers_out_of_range_name_the_field(client, dialect, value) -> None:
    alice = await make_user(client)
    answer = await client.get(
        f"/users/{alice.username}/changes", params={"since": value}, headers=alice.headers
    )
    assert pointers(answer) == ["/query/since"]
    stream = await client.get(
        f"/users/{alice.username}/events", params={"since": value}, headers=alice.headers
    )
    assert pointers(stream) == ["/query/since"]


@pytest.mark.parametrize("value", [2**63, 2**64, -(2**63) - 1])
async def test_seed_a_delete_id_out_of_range_names_the_field(client, dialect, value) -> None:
    alice = await make_seed_a_user(client)
    answer = await seed_a(
        client,
        "POST",
        f"//message?{alice.credentials}&request=delete",
        alice.message(alice, id=value),
    )
    assert pointers(answer) == ["/body/id"]


@pytest.mark.parametrize(
    "timestamp",
    [
        "Fri, 31 Dec 9999 23:59:59 -0100",
        "Fri, 31 Dec 9999 23:59:59 +0100",
        "Fri, 31 Dec 9999 23:59:59 GMT",
        "Mon, 01 Jan 0001 00:00:00 +0100",
        "Mon, 01 Jan 0001 00:00:00 -0100",
    ],
)
async def test_seed_a_timestamps_at_the_ends_of_time_answer_without_a_500(
    client, dialect, timestamp
) -> None:
    alice, bob = await make_seed_a_user(client), await make_seed_a_user(client)
    for request in ("write", "delete"):
        answer = await seed_a(
            client,
            "POST",
            f"//message?{alice.credentials}&request={request}",
            alice.message(bob, timestamp=timestamp),
        )
        if answer.status_code != 422:
            # A date that is an instant in UTC is kept as written; one that is not, refused.
            assert answer.status_code in (200, 201), answer.text
            assert answer.json().get("timestamp", timestamp) == timestamp
        else:
            assert pointers(answer) == ["/body/timestamp"]


@pytest.mark.parametrize("value", [str(2**63), str(2**64), "-1", "1e3"])
async def test_last_event_id_out_of_range_is_a_problem(client, dialect, value) -> None:
    alice = await make_user(client)
    answer = await client.get(
        f"/users/{alice.username}/events",
        headers=alice.headers | {"Last-Event-ID": value},
    )
    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid_parameter"


@pytest.mark.parametrize(
    "value",
    ["9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00", "10000-01-01T00:00:00Z"],
)
async def test_instants_out_of_range_name_the_field(client, dialect, value) -> None:
    alice = await make_user(client)
    for name in ("after", "before"):
        answer = await client.get(
            f"/users/{alice.username}/messages", params={name: value}, headers=alice.headers
        )
        assert pointers(answer) == [f"/query/{name}"]
    edge = await client.get(
        f"/users/{alice.username}/messages",
        params={"after": "0001-01-01T00:00:00Z", "before": "9999-12-31T23:59:59.999999Z"},
        headers=alice.headers,
    )
    assert edge.status_code == 200


async def test_the_document_states_integer_bounds_exactly(client) -> None:
    """A generator reading a float bound (9.223372036854776e+18) sends ids the API refuses."""
    spec = (await client.get("/openapi.json")).json()
    bounds: list[object] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") == "integer":
                bounds.extend(node[key] for key in ("maximum", "exclusiveMaximum") if key in node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    assert 2**63 in bounds
    assert all(isinstance(bound, int) for bound in bounds), bounds
    ids = spec["components"]["schemas"]["MessagesUpdate"]["properties"]["ids"]["anyOf"][0]
    assert ids["items"]["exclusiveMaximum"] == 2**63
