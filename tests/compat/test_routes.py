"""Seed A's README, request by request, exactly as written (double slash, query strings,
JSON bodies), with the failure cases, on every engine."""

from __future__ import annotations

import anyio
import httpx
import pytest

from tests.compat.seed_a import SeedAUser, make_seed_a_user, native_headers, seed_a
from tests.support.factories import make_user, unique_name

pytestmark = pytest.mark.anyio

SEED_A_FIELDS = {"id", "sender", "receiver", "subject", "message", "timestamp"}


async def test_seed_a_readme_walkthrough(client: httpx.AsyncClient, dialect) -> None:
    user1 = SeedAUser(unique_name("user"), "password-one")
    user2 = SeedAUser(unique_name("user"), "password-two")
    # register, then login
    for user in (user1, user2):
        response = await seed_a(client, "POST", f"//signup?{user.credentials}")
        assert response.status_code == 201
        assert response.json() == {"username": user.username, "logged_in": False}
        response = await seed_a(client, "POST", f"//login?{user.credentials}")
        assert response.status_code == 200
        assert response.json() == {"username": user.username, "logged_in": True}
    # Write message: the writing user must be the sender; the receiver must be registered.
    message = {
        "message": "message body three",
        "receiver": user2.username,
        "sender": user1.username,
        "subject": "message subject three",
        "timestamp": "Fri, 09 Oct 2020 23:01:26 GMT",
    }
    written = await seed_a(client, "POST", f"//message?{user1.credentials}&request=write", message)
    assert written.status_code == 201
    assert written.json() == {"id": written.json()["id"], **message}
    # Get all unread messages
    unread = await seed_a(client, "GET", f"//messages?{user2.credentials}&request=get_all_unread")
    assert unread.status_code == 200
    assert unread.json() == [written.json()]
    # Read message
    read = await seed_a(client, "GET", f"//message?{user2.credentials}&request=read")
    assert read.status_code == 200
    assert read.json() == written.json()
    unread = await seed_a(client, "GET", f"//messages?{user2.credentials}&request=get_all_unread")
    assert unread.json() == []
    # Get all messages: the sender's sent box and the receiver's inbox both hold it.
    for user in (user1, user2):
        every = await seed_a(client, "GET", f"//messages?{user.credentials}&request=get_all")
        assert every.status_code == 200
        assert every.json() == [written.json()]
    # Delete message: the owner sends the message to delete.
    deleted = await seed_a(client, "POST", f"//message?{user1.credentials}&request=delete", message)
    assert deleted.status_code == 200
    assert deleted.json() == {"deleted": written.json(), "deleted_for": "everyone"}
    for user in (user1, user2):
        every = await seed_a(client, "GET", f"//messages?{user.credentials}&request=get_all")
        assert every.json() == []
    # log out
    response = await seed_a(client, "POST", f"//logout?{user1.credentials}")
    assert response.status_code == 200
    assert response.json() == {"username": user1.username, "logged_in": False}


async def test_the_double_slash_path_reaches_the_app_as_written(client, dialect) -> None:
    response = await seed_a(client, "GET", "//messages?username=nobody&password=x&request=get_all")
    assert response.status_code == 401
    assert response.json()["instance"] == "//messages"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/signup"),
        ("POST", "/login"),
        ("POST", "/logout"),
        ("POST", "/message"),
        ("GET", "/message"),
        ("GET", "/messages"),
    ],
)
async def test_single_slash_addresses_answer_too(client, dialect, method, path) -> None:
    """nginx's merge_slashes and some client libraries turn `//` into `/`."""
    response = await client.request(method, path)
    assert response.status_code in (400, 401, 422)
    assert response.json()["instance"] == path
    assert response.headers["deprecation"].startswith("@")


async def test_signup_makes_an_account_without_email_that_works_natively(client, dialect) -> None:
    user = await make_seed_a_user(client, login=False)
    headers = await native_headers(client, user)
    profile = await client.get(f"/users/{user.username}", headers=headers)
    assert profile.status_code == 200
    assert profile.json()["email"] is None


async def test_signup_refuses_a_taken_name_and_invalid_fields(client, dialect) -> None:
    user = await make_seed_a_user(client, login=False)
    again = await seed_a(
        client, "POST", f"//signup?username={user.username.upper()}&password=other-password"
    )
    assert again.status_code == 409
    assert again.json()["code"] == "username_taken"
    short = await seed_a(client, "POST", f"//signup?username={unique_name()}&password=short")
    assert short.status_code == 422
    assert short.json()["errors"][0]["pointer"] == "/query/password"
    bad_name = await seed_a(client, "POST", "//signup?username=no%20spaces&password=long-enough")
    assert bad_name.status_code == 422
    missing = await seed_a(client, "POST", "//signup?username=someone")
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["pointer"] == "/query/password"


async def test_native_accounts_work_on_seed_a(client, dialect) -> None:
    native = await make_user(client)
    user = SeedAUser(native.username, native.password)
    assert (await seed_a(client, "POST", f"//login?{user.credentials}")).status_code == 200
    every = await seed_a(client, "GET", f"//messages?{user.credentials}&request=get_all")
    assert every.status_code == 200


@pytest.mark.parametrize("target", ["//login", "//logout"])
async def test_session_requests_need_valid_credentials(client, dialect, target) -> None:
    user = await make_seed_a_user(client, login=False)
    missing = await seed_a(client, "POST", f"{target}?username={user.username}")
    assert missing.status_code == 401
    assert missing.json()["code"] == "credentials_missing"
    wrong = await seed_a(client, "POST", f"{target}?username={user.username}&password=wrong-one")
    assert wrong.status_code == 401
    assert wrong.json()["code"] == "invalid_credentials"
    unknown = await seed_a(client, "POST", f"{target}?username={unique_name()}&password=wrong-one")
    assert unknown.json() | {"instance": None} == wrong.json() | {"instance": None}


MESSAGE_REQUESTS = [
    ("POST", "//message", "write"),
    ("POST", "//message", "delete"),
    ("GET", "//message", "read"),
    ("GET", "//messages", "get_all"),
    ("GET", "//messages", "get_all_unread"),
]


@pytest.mark.parametrize(("method", "path", "request_name"), MESSAGE_REQUESTS)
async def test_message_requests_say_which_of_credentials_and_session_is_missing(
    client, dialect, method, path, request_name
) -> None:
    user = await make_seed_a_user(client, login=False)
    other = await make_seed_a_user(client, login=False)
    body = user.message(other) if method == "POST" else None

    async def ask(query: str) -> httpx.Response:
        return await seed_a(client, method, f"{path}?{query}&request={request_name}", body)

    no_credentials = await ask(f"username={user.username}")
    assert (no_credentials.status_code, no_credentials.json()["code"]) == (
        401,
        "credentials_missing",
    )
    wrong = await ask(f"username={user.username}&password=not-the-password")
    assert (wrong.status_code, wrong.json()["code"]) == (401, "invalid_credentials")
    no_session = await ask(user.credentials)
    assert (no_session.status_code, no_session.json()["code"]) == (401, "session_not_started")
    assert "//login" in no_session.json()["detail"]

    assert (await seed_a(client, "POST", f"//login?{user.credentials}")).status_code == 200
    # A started session never vouches for a wrong password.
    wrong = await ask(f"username={user.username}&password=not-the-password")
    assert (wrong.status_code, wrong.json()["code"]) == (401, "invalid_credentials")
    assert (await ask(user.credentials)).status_code in (200, 201, 404)

    assert (await seed_a(client, "POST", f"//logout?{user.credentials}")).status_code == 200
    after = await ask(user.credentials)
    assert (after.status_code, after.json()["code"]) == (401, "session_not_started")


@pytest.mark.parametrize(
    ("method", "path", "value", "allowed"),
    [
        ("POST", "//message", None, "request=write or request=delete"),
        ("POST", "//message", "read", "request=write or request=delete"),
        ("POST", "//message", "WRITE", "request=write or request=delete"),
        ("GET", "//message", None, "request=read"),
        ("GET", "//message", "write", "request=read"),
        ("GET", "//messages", None, "request=get_all or request=get_all_unread"),
        ("GET", "//messages", "get_unread", "request=get_all or request=get_all_unread"),
    ],
)
async def test_a_missing_or_unknown_request_names_the_allowed_values(
    client, dialect, method, path, value, allowed
) -> None:
    user = await make_seed_a_user(client)
    query = user.credentials + ("" if value is None else f"&request={value}")
    body = user.message(user) if method == "POST" else None
    response = await seed_a(client, method, f"{path}?{query}", body)
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_request"
    assert allowed in response.json()["detail"]
    assert response.json()["errors"][0]["pointer"] == "/query/request"


async def test_write_needs_the_signed_in_user_as_sender(client, dialect) -> None:
    alice = await make_seed_a_user(client)
    bob = await make_seed_a_user(client)
    response = await seed_a(
        client, "POST", f"//message?{alice.credentials}&request=write", bob.message(alice)
    )
    assert response.status_code == 403
    assert response.json()["code"] == "not_the_sender"
    every = await seed_a(client, "GET", f"//messages?{alice.credentials}&request=get_all")
    assert every.json() == []
    # The sender's name matches regardless of case.
    same = alice.message(bob, sender=alice.username.upper())
    response = await seed_a(client, "POST", f"//message?{alice.credentials}&request=write", same)
    assert response.status_code == 201
    assert response.json()["sender"] == alice.username


async def test_write_needs_a_registered_receiver(client, dialect) -> None:
    alice = await make_seed_a_user(client)
    response = await seed_a(
        client, "POST", f"//message?{alice.credentials}&request=write", alice.message("nobody1")
    )
    assert response.status_code == 422
    assert response.json()["code"] == "unknown_receiver"


@pytest.mark.parametrize(
    ("fields", "pointer"),
    [
        ({"timestamp": "yesterday"}, "/body/timestamp"),
        ({"timestamp": "2020-10-09T23:01:26Z"}, "/body/timestamp"),
        ({"timestamp": "Fri, 31 Feb 2020 23:01:26 GMT"}, "/body/timestamp"),
        ({"timestamp": "Fri, 09 Oct 2020 25:01:26 GMT"}, "/body/timestamp"),
        ({"timestamp": "Fri, 09 Oct 2020 23:01:26 EST"}, "/body/timestamp"),
        ({"timestamp": 1602284486}, "/body/timestamp"),
        ({"subject": ""}, "/body/subject"),
        ({"message": "   "}, "/body/message"),
        ({"receiver": "not a name"}, "/body/receiver"),
        ({"cc": "someone"}, "/body/cc"),
        ({"id": 7}, "/body/id"),
    ],
)
async def test_invalid_messages_are_refused_with_a_clear_422(
    client, dialect, fields, pointer
) -> None:
    alice = await make_seed_a_user(client)
    bob = await make_seed_a_user(client, login=False)
    body = {**alice.message(bob), **fields}
    response = await seed_a(client, "POST", f"//message?{alice.credentials}&request=write", body)
    assert response.status_code == 422, response.text
    assert pointer in [error["pointer"] for error in response.json()["errors"]]
    if pointer == "/body/timestamp" and isinstance(fields["timestamp"], str):
        assert "Fri, 09 Oct 2020 23:01:26 GMT" in response.json()["detail"]
    assert (
        await seed_a(client, "GET", f"//messages?{alice.credentials}&request=get_all")
    ).json() == []


async def test_the_timestamp_is_kept_as_written_beside_the_server_time(client, dialect) -> None:
    alice = await make_seed_a_user(client)
    bob = await make_seed_a_user(client)
    written_as = "Sat, 3 Oct 2020 01:02:03 +0200"
    body = alice.message(bob, timestamp=written_as)
    written = await seed_a(client, "POST", f"//message?{alice.credentials}&request=write", body)
    assert written.status_code == 201
    assert written.json()["timestamp"] == written_as
    native = await client.get(
        f"/users/{bob.username}/messages/{written.json()['id']}",
        headers=await native_headers(client, bob),
    )
    assert native.json()["created_at"].startswith("20")  # the server's own time
    assert not native.json()["created_at"].startswith("2020-10-03")


async def test_a_message_written_without_timestamp_shows_the_server_time(client, dialect) -> None:
    alice = await make_seed_a_user(client)
    bob = await make_seed_a_user(client)
    body = alice.message(bob)
    del body["timestamp"]
    written = await seed_a(client, "POST", f"//message?{alice.credentials}&request=write", body)
    assert written.status_code == 201
    assert written.json()["timestamp"].endswith(" GMT")


async def test_read_returns_the_oldest_unread_received_message_and_marks_it_read(
    client, dialect
) -> None:
    alice = await make_seed_a_user(client)
    bob = await make_seed_a_user(client)
    ids = []
    for subject in ("first", "second", "third"):
        body = alice.message(bob, subject=subject)
        written = await seed_a(client, "POST", f"//message?{alice.credentials}&request=write", body)
        ids.append(written.json()["id"])
    # Alice's own sent messages are not hers to read.
    nothing = await seed_a(client, "GET", f"//message?{alice.credentials}&request=read")
    assert (nothing.status_code, nothing.json()["code"]) == (404, "no_unread_message")
    # Bob reads the second one natively; seed A then skips it.
    headers = await native_headers(client, bob)
    assert (await client.get(f"/users/{bob.username}/messages/{ids[1]}", headers=headers)).json()[
        "read"
    ]
    got = []
    for _ in range(2):
        read = await seed_a(client, "GET", f"//message?{bob.credentials}&request=read")
        assert read.status_code == 200
        got.append(read.json()["id"])
    assert got == [ids[0], ids[2]]
    done = await seed_a(client, "GET", f"//message?{bob.credentials}&request=read")
    assert done.status_code == 404
    assert done.json()["code"] == "no_unread_message"
    assert done.json()["detail"] == "You have no unread messages."
    unread = await client.get(f"/users/{bob.username}/unread", headers=headers)
    assert unread.json() == {"unread": 0}


async def test_concurrent_reads_never_return_the_same_message(client, dialect) -> None:
    alice = await make_seed_a_user(client)
    bob = await make_seed_a_user(client)
    for subject in ("one", "two", "three"):
        body = alice.message(bob, subject=subject)
        await seed_a(client, "POST", f"//message?{alice.credentials}&request=write", body)
    answers: list[httpx.Response] = []

    async def read() -> None:
        answers.append(await seed_a(client, "GET", f"//message?{bob.credentials}&request=read"))

    async with anyio.create_task_group() as group:
        for _ in range(4):
            group.start_soon(read)
    assert sorted(r.status_code for r in answers) == [200, 200, 200, 404]
    subjects = sorted(r.json()["subject"] for r in answers if r.status_code == 200)
    assert subjects == ["one", "three", "two"]


async def test_get_all_lists_received_and_sent_newest_first(client, dialect) -> None:
    alice = await make_seed_a_user(client)
    bob = await make_seed_a_user(client)
    to_bob = alice.message(bob, subject="to bob")
    to_self = alice.message(alice, subject="to self")
    to_alice = bob.message(alice, subject="to alice")
    await seed_a(client, "POST", f"//message?{alice.credentials}&request=write", to_bob)
    await seed_a(client, "POST", f"//message?{alice.credentials}&request=write", to_self)
    await seed_a(client, "POST", f"//message?{bob.credentials}&request=write", to_alice)
    every = await seed_a(client, "GET", f"//messages?{alice.credentials}&request=get_all")
    assert [m["subject"] for m in every.json()] == ["to alice", "to self", "to bob"]
    assert all(set(m) == SEED_A_FIELDS for m in every.json())
    assert [(m["sender"], m["receiver"]) for m in every.json()] == [
        (bob.username, alice.username),
        (alice.username, alice.username),
        (alice.username, bob.username),
    ]
    assert "mailslot-truncated" not in every.headers
    unread = await seed_a(client, "GET", f"//messages?{alice.credentials}&request=get_all_unread")
    assert [m["subject"] for m in unread.json()] == ["to alice", "to self"]
    # Listing marks nothing read.
    again = await seed_a(client, "GET", f"//messages?{alice.credentials}&request=get_all_unread")
    assert again.json() == unread.json()


async def test_sender_deletes_for_everyone(client, dialect) -> None:
    alice = await make_seed_a_user(client)
    bob = await make_seed_a_user(client)
    body = alice.message(bob)
    written = await seed_a(client, "POST", f"//message?{alice.credentials}&request=write", body)
    deleted = await seed_a(client, "POST", f"//message?{alice.credentials}&request=delete", body)
    assert deleted.status_code == 200
    assert deleted.json()["deleted_for"] == "everyone"
    assert deleted.json()["deleted"]["id"] == written.json()["id"]
    for user in (alice, bob):
        every = await seed_a(client, "GET", f"//messages?{user.credentials}&request=get_all")
        assert every.json() == []
    again = await seed_a(client, "POST", f"//message?{alice.credentials}&request=delete", body)
    assert (again.status_code, again.json()["code"]) == (404, "message_not_found")


async def test_receiver_deletes_from_their_own_feed_only(client, dialect) -> None:
    alice = await make_seed_a_user(client)
    bob = await make_seed_a_user(client)
    body = alice.message(bob)
    written = await seed_a(client, "POST", f"//message?{alice.credentials}&request=write", body)
    deleted = await seed_a(client, "POST", f"//message?{bob.credentials}&request=delete", body)
    assert deleted.status_code == 200
    assert deleted.json()["deleted_for"] == "you"
    bobs = await seed_a(client, "GET", f"//messages?{bob.credentials}&request=get_all")
    assert bobs.json() == []
    alices = await seed_a(client, "GET", f"//messages?{alice.credentials}&request=get_all")
    assert alices.json() == [written.json()]


async def test_anyone_else_cannot_delete_and_nothing_changes(client, dialect) -> None:
    alice = await make_seed_a_user(client)
    bob = await make_seed_a_user(client)
    carol = await make_seed_a_user(client)
    body = alice.message(bob)
    written = await seed_a(client, "POST", f"//message?{alice.credentials}&request=write", body)
    refused = await seed_a(client, "POST", f"//message?{carol.credentials}&request=delete", body)
    assert (refused.status_code, refused.json()["code"]) == (403, "not_your_message")
    # Naming herself as the sender does not find alice's message either.
    posing = await seed_a(
        client,
        "POST",
        f"//message?{carol.credentials}&request=delete",
        {**body, "sender": carol.username},
    )
    assert (posing.status_code, posing.json()["code"]) == (404, "message_not_found")
    for user in (alice, bob):
        every = await seed_a(client, "GET", f"//messages?{user.credentials}&request=get_all")
        assert every.json() == [written.json()]


async def test_delete_matches_every_field(client, dialect) -> None:
    alice = await make_seed_a_user(client)
    bob = await make_seed_a_user(client)
    body = alice.message(bob)
    await seed_a(client, "POST", f"//message?{alice.credentials}&request=write", body)
    for change in (
        {"subject": "another subject"},
        {"message": "another body"},
        {"timestamp": "Fri, 09 Oct 2020 23:01:27 GMT"},
        {"receiver": alice.username},
    ):
        response = await seed_a(
            client, "POST", f"//message?{alice.credentials}&request=delete", {**body, **change}
        )
        assert response.status_code == 404, change
    every = await seed_a(client, "GET", f"//messages?{bob.credentials}&request=get_all")
    assert len(every.json()) == 1


async def test_when_several_messages_match_the_oldest_is_deleted(client, dialect) -> None:
    alice = await make_seed_a_user(client)
    bob = await make_seed_a_user(client)
    body = alice.message(bob)
    ids = []
    for _ in range(3):
        written = await seed_a(client, "POST", f"//message?{alice.credentials}&request=write", body)
        ids.append(written.json()["id"])
    first = await seed_a(client, "POST", f"//message?{bob.credentials}&request=delete", body)
    assert first.json()["deleted"]["id"] == ids[0]
    # An `id` from an answer picks one of identical messages.
    chosen = await seed_a(
        client, "POST", f"//message?{bob.credentials}&request=delete", {**body, "id": ids[2]}
    )
    assert chosen.json()["deleted"]["id"] == ids[2]
    left = await seed_a(client, "GET", f"//messages?{bob.credentials}&request=get_all")
    assert [m["id"] for m in left.json()] == [ids[1]]


async def test_seed_a_writes_and_the_native_api_reads(client, dialect) -> None:
    alice = await make_seed_a_user(client)
    bob = await make_seed_a_user(client)
    body = alice.message(bob)
    written = await seed_a(client, "POST", f"//message?{alice.credentials}&request=write", body)
    headers = await native_headers(client, bob)
    inbox = await client.get(f"/users/{bob.username}/messages", headers=headers)
    [message] = inbox.json()["messages"]
    assert message["id"] == written.json()["id"]
    assert (message["sender"], message["receiver"]) == (alice.username, bob.username)
    assert (message["subject"], message["message"]) == (body["subject"], body["message"])
    assert message["read"] is False
    # Deleting natively, as the sender, removes it from seed A's answers too.
    alice_headers = await native_headers(client, alice)
    gone = await client.delete(
        f"/users/{alice.username}/messages/{message['id']}", headers=alice_headers
    )
    assert gone.status_code == 204
    every = await seed_a(client, "GET", f"//messages?{bob.credentials}&request=get_all")
    assert every.json() == []


async def test_the_native_api_writes_and_seed_a_reads_and_deletes(client, dialect) -> None:
    native = await make_user(client)
    bob = await make_seed_a_user(client)
    response = await client.post(
        f"/users/{native.username}/messages",
        json={"receiver": bob.username, "subject": "Lunch?", "message": "Noon?"},
        headers=native.headers,
    )
    sent = response.json()
    read = await seed_a(client, "GET", f"//message?{bob.credentials}&request=read")
    assert read.status_code == 200
    answer = read.json()
    assert answer["id"] == sent["id"]
    assert (answer["sender"], answer["receiver"], answer["subject"]) == (
        native.username,
        bob.username,
        "Lunch?",
    )
    # No client timestamp: the server's time, in RFC 1123 form.
    assert answer["timestamp"].endswith(" GMT")
    native_view = await client.get(
        f"/users/{native.username}/messages?box=sent", headers=native.headers
    )
    assert native_view.json()["messages"][0]["id"] == sent["id"]
    # The answer's JSON, sent back, names the message for deletion.
    fields = {key: answer[key] for key in ("sender", "receiver", "subject", "message", "timestamp")}
    deleted = await seed_a(client, "POST", f"//message?{bob.credentials}&request=delete", fields)
    assert deleted.status_code == 200, deleted.text
    assert deleted.json()["deleted_for"] == "you"
    bobs = await client.get(
        f"/users/{bob.username}/messages", headers=await native_headers(client, bob)
    )
    assert bobs.json()["messages"] == []


@pytest.mark.parametrize(
    ("method", "target"),
    [
        ("POST", "//signup?username=x"),
        ("POST", "//login?username=x&password=y"),
        ("POST", "//logout"),
        ("POST", "//message?request=write"),
        ("GET", "//message?request=read"),
        ("GET", "//messages?request=get_all"),
        ("PUT", "//messages?request=get_all"),
    ],
)
async def test_every_seed_a_answer_is_marked_deprecated(client, dialect, method, target) -> None:
    response = await seed_a(client, method, target)
    assert response.status_code >= 400
    assert response.headers["deprecation"] == "@1795219200"  # 2026-11-21, RFC 9745
    assert response.headers["link"] == '</docs>; rel="deprecation"; type="text/html"'
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"


async def test_successful_answers_are_marked_deprecated_too(client, dialect) -> None:
    user = await make_seed_a_user(client)
    response = await seed_a(client, "GET", f"//messages?{user.credentials}&request=get_all")
    assert response.status_code == 200
    assert response.headers["deprecation"] == "@1795219200"
    assert response.headers["cache-control"] == "no-store"
    native = await client.get("/healthz")
    assert "deprecation" not in native.headers


async def test_openapi_marks_every_seed_a_operation_deprecated(client) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    seed_a_operations = {
        (path, method): operation
        for path, operations in paths.items()
        if path.startswith("//")
        for method, operation in operations.items()
    }
    assert set(seed_a_operations) == {
        ("//signup", "post"),
        ("//login", "post"),
        ("//logout", "post"),
        ("//message", "post"),
        ("//message", "get"),
        ("//messages", "get"),
    }
    assert all(operation["deprecated"] is True for operation in seed_a_operations.values())
    assert not any(
        operation.get("deprecated")
        for path, ops in paths.items()
        if not path.startswith("//")
        for operation in ops.values()
    )
    # The single-slash aliases are described, not listed twice.
    assert "/signup" not in paths
    assert "single-slash" in seed_a_operations[("//signup", "post")]["description"]


async def test_a_message_without_its_fields_names_each_missing_one(client, dialect) -> None:
    alice = await make_seed_a_user(client)
    response = await seed_a(client, "POST", f"//message?{alice.credentials}&request=write", {})
    assert response.status_code == 422
    pointers = {error["pointer"] for error in response.json()["errors"]}
    assert pointers == {"/body/message", "/body/receiver", "/body/sender", "/body/subject"}
