"""/server/users: upsert one or a batch, look up, deactivate and reactivate users by the
host's own ids, with a `users:write` key, on every engine."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support.factories import TestKey, make_user, unique_name
from tests.support.people import external_id
from tests.support.problems import problem

pytestmark = [pytest.mark.anyio, pytest.mark.pgbouncer]

BIG_CUSTOM = {"notes": "x" * 4090}  # 4103 bytes as JSON


async def put(client: httpx.AsyncClient, key: TestKey, host_id: str, **body: Any) -> httpx.Response:
    return await client.put(
        f"/server/users/{host_id}", json={"display_name": None, **body}, headers=key.headers
    )


async def test_a_put_creates_then_leaves_unchanged_then_updates(client, key, dialect) -> None:
    host_id = external_id()
    created = await put(client, key, host_id, display_name="Ada L.", custom={"tier": "gold"})
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["outcome"] == "created"
    assert body["external_id"] == host_id
    assert body["username"] == host_id  # derived: the id is a valid username
    assert (body["display_name"], body["custom"], body["email"]) == (
        "Ada L.",
        {"tier": "gold"},
        None,
    )
    assert body["deactivated_at"] is None

    again = await put(client, key, host_id, display_name="Ada L.")
    assert (again.status_code, again.json()["outcome"]) == (200, "unchanged")
    assert again.json()["custom"] == {"tier": "gold"}  # left out: kept

    email = f"{host_id}@example.com"
    updated = await put(client, key, host_id, display_name="Ada", email=email, custom=None)
    assert (updated.status_code, updated.json()["outcome"]) == (200, "updated")
    looked_up = await client.get(f"/server/users/{host_id}", headers=key.headers)
    assert looked_up.status_code == 200
    assert {k: looked_up.json()[k] for k in ("display_name", "email", "custom")} == {
        "display_name": "Ada",
        "email": email,
        "custom": None,
    }


async def test_a_display_name_change_reaches_a_token_already_seen(
    app, client, key, dialect
) -> None:
    """The token cache carries the display name: an update makes every instance forget."""
    host_id = external_id()
    username = (await put(client, key, host_id, display_name="Before")).json()["username"]
    minted = await client.post(f"/server/users/{host_id}/tokens", json={}, headers=key.headers)
    headers = {"Authorization": f"Bearer {minted.json()['access_token']}"}
    seen = await client.get(f"/users/{username}", headers=headers)
    assert seen.json()["display_name"] == "Before"
    assert (await put(client, key, host_id, display_name="After")).status_code == 200
    assert (await client.get(f"/users/{username}", headers=headers)).json()[
        "display_name"
    ] == "After"


@pytest.mark.parametrize(
    ("host_id", "body", "pointer"),
    [
        ("has space", {}, "/path/external_id"),
        ("x" * 129, {}, "/path/external_id"),
        ("ok-id", {"custom": BIG_CUSTOM}, "/body/custom"),
        ("ok-id", {"display_name": "   "}, "/body/display_name"),
        ("ok-id", {"username": "no spaces please"}, "/body/username"),
        ("ok-id", {"email": "not an address"}, "/body/email"),
        ("ok-id", {"password": "not taken here"}, "/body/password"),
    ],
)
async def test_bad_input_is_refused_and_writes_nothing(
    client, key, dialect, host_id: str, body: dict[str, Any], pointer: str
) -> None:
    valid_id = host_id == "ok-id"
    host_id = external_id() if valid_id else host_id
    refused = problem(await put(client, key, host_id, **body), 422, "validation_failed")
    assert pointer in [error["pointer"] for error in refused["errors"]], refused
    if pointer == "/body/custom":
        assert "4096" in refused["detail"]
    if valid_id:
        gone = await client.get(f"/server/users/{host_id}", headers=key.headers)
        problem(gone, 404, "user_not_found")


async def test_a_name_or_address_of_another_user_is_a_conflict(client, key, dialect) -> None:
    someone = await make_user(client)
    taken = await put(client, key, external_id(), username=someone.username)
    problem(taken, 409, "username_taken")
    taken = await put(client, key, external_id(), email=f"{someone.username}@example.com")
    problem(taken, 409, "email_taken")


async def test_the_username_is_set_once(client, key, dialect) -> None:
    host_id = external_id()
    name = unique_name("given")
    assert (await put(client, key, host_id, username=name)).json()["username"] == name
    same = await put(client, key, host_id, username=name.upper())  # case does not count
    assert same.json()["outcome"] == "unchanged"
    problem(await put(client, key, host_id, username=unique_name()), 422, "validation_failed")


async def test_unknown_external_ids_are_not_found(client, key, dialect) -> None:
    missing = external_id()
    for method, path in [
        ("GET", f"/server/users/{missing}"),
        ("POST", f"/server/users/{missing}/deactivate"),
        ("POST", f"/server/users/{missing}/reactivate"),
    ]:
        answer = await client.request(method, path, headers=key.headers)
        problem(answer, 404, "user_not_found")


async def test_a_batch_answers_per_item_and_one_bad_item_fails_no_other(
    client, key, dialect
) -> None:
    someone = await make_user(client)
    existing = external_id()
    await put(client, key, existing, display_name="Old")
    fresh = [external_id() for _ in range(2)]
    users: list[Any] = [
        {"external_id": fresh[0], "display_name": "One"},
        {"external_id": existing, "display_name": "New"},
        {"external_id": existing, "display_name": "New"},
        {"external_id": external_id(), "display_name": None, "custom": BIG_CUSTOM},
        {"external_id": external_id(), "display_name": None, "username": someone.username},
        {"external_id": "bad id", "display_name": None},
        {"display_name": "no id"},
        "not even an object",
        {"external_id": fresh[1], "display_name": "Two"},
    ]
    answer = await client.post("/server/users/batch", json={"users": users}, headers=key.headers)
    assert answer.status_code == 200, answer.text
    results = answer.json()["results"]
    assert [r["outcome"] for r in results] == [
        "created",
        "updated",
        "unchanged",
        "error",
        "error",
        "error",
        "error",
        "error",
        "created",
    ]
    assert [r["external_id"] for r in results[:3]] == [fresh[0], existing, existing]
    assert results[1]["user"]["display_name"] == "New"
    codes = [r["error"]["code"] for r in results[3:8]]
    assert codes == ["validation_failed", "username_taken", *["validation_failed"] * 3]
    assert results[3]["error"]["errors"][0]["pointer"] == "/body/users/3/custom"
    assert results[5]["error"]["errors"][0]["pointer"] == "/body/users/5/external_id"
    assert results[6]["external_id"] is None
    assert results[7]["error"]["errors"][0]["pointer"] == "/body/users/7"
    for host_id in fresh:
        assert (await client.get(f"/server/users/{host_id}", headers=key.headers)).is_success
    bad = results[4]["external_id"]
    problem(await client.get(f"/server/users/{bad}", headers=key.headers), 404, "user_not_found")


async def test_a_batch_over_100_is_refused_whole(client, key, dialect) -> None:
    users = [{"external_id": external_id(), "display_name": None} for _ in range(101)]
    answer = await client.post("/server/users/batch", json={"users": users}, headers=key.headers)
    refused = problem(answer, 422, "validation_failed")
    assert "100" in refused["detail"]
    first = users[0]["external_id"]
    problem(await client.get(f"/server/users/{first}", headers=key.headers), 404, "user_not_found")


async def test_a_batch_of_100_is_taken(client, key, dialect) -> None:
    users = [{"external_id": external_id(), "display_name": None} for _ in range(100)]
    answer = await client.post("/server/users/batch", json={"users": users}, headers=key.headers)
    assert answer.status_code == 200, answer.text
    assert {r["outcome"] for r in answer.json()["results"]} == {"created"}


async def test_deactivation_revokes_tokens_until_reactivation_which_keeps_them_revoked(
    client, key, dialect
) -> None:
    host_id = external_id()
    username = (await put(client, key, host_id)).json()["username"]
    minted = await client.post(f"/server/users/{host_id}/tokens", json={}, headers=key.headers)
    headers = {"Authorization": f"Bearer {minted.json()['access_token']}"}
    assert (await client.get(f"/users/{username}/messages", headers=headers)).status_code == 200

    for _ in range(2):  # again: harmless, the same answer
        off = await client.post(f"/server/users/{host_id}/deactivate", headers=key.headers)
        assert off.status_code == 200, off.text
        assert off.json()["deactivated_at"] is not None
    problem(await client.get(f"/users/{username}/messages", headers=headers), 401, "invalid_token")
    refused = await client.post(f"/server/users/{host_id}/tokens", json={}, headers=key.headers)
    problem(refused, 403, "account_deactivated")
    sender = await make_user(client)
    to_them = await client.post(
        f"/users/{sender.username}/messages",
        json={"receiver": username, "subject": "s", "message": "m"},
        headers=sender.headers,
    )
    problem(to_them, 422, "receiver_deactivated")

    on = await client.post(f"/server/users/{host_id}/reactivate", headers=key.headers)
    assert (on.status_code, on.json()["deactivated_at"]) == (200, None)
    problem(await client.get(f"/users/{username}/messages", headers=headers), 401, "invalid_token")
    again = await client.post(f"/server/users/{host_id}/tokens", json={}, headers=key.headers)
    assert again.status_code == 201


async def test_a_provisioned_user_cannot_sign_in_with_a_password(client, key, dialect) -> None:
    host_id = external_id()
    username = (await put(client, key, host_id)).json()["username"]
    answer = await client.post(f"/users/{username}/token", json={"password": ""})
    problem(answer, 401, "invalid_credentials")
