"""`mailslot user ...` run as an operator runs it: `.venv/bin/mailslot` as a process on the
test database, beside a `mailslot serve` on the same database and a Redis of its own
(conftest.py), so that a disabled user's live stream ends on the running server."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable

import anyio
import httpx
import pytest

from tests.support.commands import mailslot_command
from tests.support.factories import PASSWORD, unique_name
from tests.support.servers import MailslotServer

pytestmark = [pytest.mark.anyio, pytest.mark.process, pytest.mark.timeout(300)]


@pytest.fixture
async def http(server: MailslotServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        yield client


async def register(http: httpx.AsyncClient, password: str = PASSWORD) -> tuple[str, str]:
    """A new user through the running server, signed in: name and token."""
    name = unique_name("op")
    body = {"username": name, "email": f"{name}@example.com", "password": password}
    assert (await http.post("/users", json=body)).status_code == 201
    return name, await sign_in(http, name, password)


async def sign_in(http: httpx.AsyncClient, name: str, password: str) -> str:
    answer = await http.post(f"/users/{name}/token", json={"password": password})
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["access_token"]
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def send(http: httpx.AsyncClient, sender: str, token: str, receiver: str) -> httpx.Response:
    return await http.post(
        f"/users/{sender}/messages",
        json={"receivers": [receiver], "subject": "hi", "message": "there"},
        headers=bearer(token),
    )


async def stream_ends_after(
    http: httpx.AsyncClient, name: str, token: str, act: Callable[[], str]
) -> str:
    """Open `name`'s live stream, run the command `act` while it is open, and return its
    output once the stream has ended (the server closed it)."""
    async with http.stream("GET", f"/users/{name}/events", headers=bearer(token)) as stream:
        assert stream.status_code == 200
        done = await anyio.to_thread.run_sync(act)
        with anyio.fail_after(10):
            async for _ in stream.aiter_lines():
                pass  # a heartbeat or the retry hint; the loop ends when the stream does
    return done


async def test_disable_ends_live_streams_and_refuses_sign_in_and_sends(http, mailslot) -> None:
    alice, token = await register(http)
    bob, bob_token = await register(http)

    done = await stream_ends_after(
        http, alice, token, lambda: mailslot("user", "disable", alice, "--yes")
    )
    assert done == f"disabled {alice}: 1 tokens revoked\n"

    refused = await http.post(f"/users/{alice}/token", json={"password": PASSWORD})
    assert (refused.status_code, refused.json()["code"]) == (403, "account_deactivated")
    revoked = await send(http, alice, token, bob)
    assert (revoked.status_code, revoked.json()["code"]) == (401, "invalid_token")
    to_her = await send(http, bob, bob_token, alice)
    assert (to_her.status_code, to_her.json()["code"]) == (422, "receiver_deactivated")
    shown = json.loads(mailslot("user", "show", alice, "--json"))
    assert shown["deactivated_at"] is not None
    assert shown["sessions"] == {"tokens": 0, "older_api": False}
    assert mailslot("user", "disable", alice, "--yes") == f"{alice} was disabled already\n"

    assert mailslot("user", "enable", alice) == f"enabled {alice}\n"
    token = await sign_in(http, alice, PASSWORD)
    assert (await send(http, bob, bob_token, alice)).status_code == 201
    assert (await send(http, alice, token, bob)).status_code == 201


async def test_a_destructive_command_without_yes_is_refused_off_a_terminal(http, mailslot) -> None:
    alice, token = await register(http)
    for args in (
        ("user", "disable", alice),
        ("user", "reset-password", alice),
        ("user", "sessions", "revoke", alice),
    ):
        refused = mailslot(*args, code=5)
        assert "add --yes to confirm" in refused
    assert (await http.get(f"/users/{alice}", headers=bearer(token))).status_code == 200
    await sign_in(http, alice, PASSWORD)


async def test_reset_password_from_stdin_signs_out_everywhere(http, mailslot) -> None:
    alice, token = await register(http)
    other = await sign_in(http, alice, PASSWORD)

    done = await stream_ends_after(
        http,
        alice,
        token,
        lambda: mailslot(
            "user", "reset-password", alice, "--password-stdin", "--yes", stdin="new secret 42\n"
        ),
    )
    assert done == f"reset the password of {alice}: 2 tokens revoked\n"
    for old in (token, other):
        answer = await http.get(f"/users/{alice}", headers=bearer(old))
        assert (answer.status_code, answer.json()["code"]) == (401, "invalid_token")
    wrong = await http.post(f"/users/{alice}/token", json={"password": PASSWORD})
    assert wrong.status_code == 401
    await sign_in(http, alice, "new secret 42")

    printed = mailslot("user", "reset-password", alice, "--yes")
    password = printed.splitlines()[1].removeprefix("password: ").split()[0]
    await sign_in(http, alice, password)
    short = mailslot(
        "user", "reset-password", alice, "--password-stdin", "--yes", stdin="x\n", code=2
    )
    assert "'password'" in short
    await sign_in(http, alice, password)


async def test_sessions_revoke_ends_every_session_and_leaves_the_account(http, mailslot) -> None:
    alice, token = await register(http)
    await sign_in(http, alice, PASSWORD)
    done = await stream_ends_after(
        http, alice, token, lambda: mailslot("user", "sessions", "revoke", alice, "--yes")
    )
    assert done == f"signed {alice} out: 2 tokens revoked\n"
    assert (await http.get(f"/users/{alice}", headers=bearer(token))).status_code == 401
    await sign_in(http, alice, PASSWORD)


async def test_create_show_and_list_as_json(http, mailslot) -> None:
    bob, _ = await register(http)
    name = unique_name("made")
    made = json.loads(
        mailslot(
            "user",
            "create",
            name,
            "--email",
            f"{name}@example.com",
            "--display-name",
            "  Made  ",
            "--json",
        )
    )
    assert (made["username"], made["display_name"], made["email"]) == (
        name,
        "Made",
        f"{name}@example.com",
    )
    token = await sign_in(http, name, made["password"])
    assert (await send(http, name, token, bob)).status_code == 201
    assert (await send(http, name, token, bob)).status_code == 201

    shown = json.loads(mailslot("user", "show", name, "--json"))
    assert shown["id"] == made["id"]
    assert shown["sessions"] == {"tokens": 1, "older_api": False}
    assert shown["messages"] == {"sent": 2, "received": 0, "unread": 0, "trash": 0}

    listed = json.loads(mailslot("user", "list", "--search", name.upper(), "--json"))
    assert [user["username"] for user in listed["users"]] == [name]
    assert listed["more"] is False
    page = json.loads(mailslot("user", "list", "--limit", "1", "--json"))
    assert len(page["users"]) == 1
    assert page["more"] is True

    with_stdin = unique_name("piped")
    mailslot("user", "create", with_stdin, "--password-stdin", stdin="piped password\n")
    await sign_in(http, with_stdin, "piped password")


async def test_refusals_have_their_exit_codes(http, mailslot) -> None:
    alice, _ = await register(http)
    assert "no user 'nobody-here'" in mailslot("user", "show", "nobody-here", code=3)
    assert "no user" in mailslot("user", "disable", "nobody-here", "--yes", code=3)
    assert "taken" in mailslot("user", "create", alice, code=4)
    assert "username" in mailslot("user", "create", "no spaces", code=2)
    assert "USERNAME or --external-id" in mailslot("user", "show", code=2)


async def test_without_redis_the_command_says_what_bounds_the_change(http, server) -> None:
    alice, _ = await register(http)
    alone = mailslot_command({k: v for k, v in server.env.items() if k != "MAILSLOT_REDIS_URL"})
    assert alone("user", "disable", alice, "--yes") == f"disabled {alice}: 1 tokens revoked\n"
    assert "no running server was told" in alone.last_stderr
    refused = await http.post(f"/users/{alice}/token", json={"password": PASSWORD})
    assert refused.json()["code"] == "account_deactivated"


async def test_an_unreachable_redis_changes_nothing(http, server) -> None:
    alice, token = await register(http)
    env = server.env | {"MAILSLOT_REDIS_URL": "redis://127.0.0.1:1/0"}
    failed = mailslot_command(env)("user", "disable", alice, "--yes", code=6)
    assert "does not answer: nothing changed" in failed
    assert (await http.get(f"/users/{alice}", headers=bearer(token))).status_code == 200


async def test_erase_ends_live_streams_removes_sent_mail_and_is_in_the_ledger(
    http, mailslot
) -> None:
    alice, token = await register(http)
    bob, bob_token = await register(http)
    assert (await send(http, alice, token, bob)).status_code == 201
    assert "add --yes to confirm" in mailslot("user", "erase", alice, code=5)
    assert "--mode is one of" in mailslot(
        "user", "erase", alice, "--mode", "shred", "--yes", code=2
    )

    done = await stream_ends_after(
        http,
        alice,
        token,
        lambda: mailslot("user", "erase", alice, "--mode", "purge-sent", "--yes", "--json"),
    )
    erased = json.loads(done)
    assert erased["mode"] == "purge-sent"
    assert erased["tombstone"].startswith("deleted-user-")
    assert (erased["counts"]["sent_removed"], erased["counts"]["tokens"]) == (1, 1)
    answer = await http.get(f"/users/{alice}", headers=bearer(token))
    assert (answer.status_code, answer.json()["code"]) == (401, "invalid_token")
    inbox = await http.get(f"/users/{bob}/messages", headers=bearer(bob_token))
    assert inbox.json()["messages"] == []
    mailslot("user", "show", alice, code=3)  # the name is nobody's now
    ledger = json.loads(mailslot("user", "erasures", "--json"))["erasures"]
    mine = [e for e in ledger if e["user_id"] == erased["id"]]
    assert [(e["tombstone"], e["mode"]) for e in mine] == [(erased["tombstone"], "purge-sent")]
    assert alice not in json.dumps(ledger)
    again = mailslot("user", "erase", erased["tombstone"], "--yes", code=3)
    assert "erased already" in again


async def test_suspend_and_shadow_ban_with_a_reason_shown_and_lifted(http, mailslot) -> None:
    alice, token = await register(http)
    bob, bob_token = await register(http)
    assert "now suspended" in mailslot("user", "suspend", alice, "--reason", "spam wave")
    assert "suspended already" in mailslot("user", "suspend", alice, "--reason", "again")
    refused = await send(http, alice, token, bob)
    assert refused.status_code == 403
    assert refused.json()["code"] == "account_suspended"
    shown = json.loads(mailslot("user", "show", alice, "--json"))
    assert shown["sanctions"]["suspended"]["reason"] == "spam wave"
    assert shown["sanctions"]["shadow_banned"] is None
    assert "spam wave" in mailslot("user", "show", alice)
    assert "no longer suspended" in mailslot("user", "unsuspend", alice, "--reason", "appeal")
    assert "now shadow-banned" in mailslot("user", "shadow-ban", alice, "--reason", "looking")
    hidden = await send(http, alice, token, bob)
    assert hidden.status_code == 201  # as delivered, to her
    inbox = await http.get(f"/users/{bob}/messages", headers=bearer(bob_token))
    assert inbox.json()["messages"] == []
    mailslot("user", "unshadow-ban", alice, "--reason", "cleared")
    assert (await send(http, alice, token, bob)).status_code == 201
    inbox = await http.get(f"/users/{bob}/messages", headers=bearer(bob_token))
    assert len(inbox.json()["messages"]) == 1
    history = json.loads(mailslot("user", "show", alice, "--json"))["sanction_history"]
    assert [(h["kind"], h["lifted"], h["reason"], h["actor"]) for h in history] == [
        ("shadow_banned", True, "cleared", "cli"),
        ("shadow_banned", False, "looking", "cli"),
        ("suspended", True, "appeal", "cli"),
        ("suspended", False, "spam wave", "cli"),
    ]
    assert "--reason" in mailslot("user", "suspend", alice, code=2)
