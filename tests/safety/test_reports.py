"""Reports: made by a receiver, listed and resolved through the server API (`moderation`),
each resolution doing what it says, and the webhook events of both."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, or_, select

from mailslot.accounts.models import User
from mailslot.safety.models import Block
from mailslot.state import app_state
from mailslot.webhooks.models import WebhookEvent
from tests.support.factories import (
    TestKey,
    TestUser,
    add_endpoint_row,
    forget_webhook_endpoints,
    ids,
    inbox,
    make_server_key,
    make_user,
    send,
)
from tests.support.people import give_external_id

pytestmark = pytest.mark.anyio


@pytest.fixture
async def moderator(app) -> TestKey:
    return await make_server_key(app, "moderation")


async def report(client, user: TestUser, message_id: int, **body: Any):
    return await client.post(
        f"/users/{user.username}/messages/{message_id}/report",
        json={"reason": "spam", **body},
        headers=user.headers,
    )


async def resolve(client, key: TestKey, report_id: int, action: str):
    return await client.post(
        f"/server/reports/{report_id}/resolve", json={"action": action}, headers=key.headers
    )


async def test_a_receiver_reports_once_and_nobody_else_can(app, client, dialect) -> None:
    alice, bob, carol = [await make_user(client) for _ in range(3)]
    sent = await send(client, alice, bob, subject="buy now")
    made = await report(client, bob, sent["id"], note="third one today")
    assert made.status_code == 201, made.text
    assert made.json()["state"] == "open"
    again = await report(client, bob, sent["id"], reason="other")
    assert again.status_code == 200
    assert again.json() == made.json()
    by_sender = await report(client, alice, sent["id"])
    assert by_sender.status_code == 403
    assert by_sender.json()["code"] == "not_a_receiver"
    stranger = await report(client, carol, sent["id"])
    assert stranger.status_code == 404
    assert stranger.json()["code"] == "message_not_found"
    bad = await report(client, bob, sent["id"], reason="boring")
    assert bad.status_code == 422
    long_note = await report(client, bob, sent["id"], note="x" * 1001)
    assert long_note.status_code == 422


async def test_reports_are_listed_by_state_with_what_was_reported(
    app, client, moderator, dialect
) -> None:
    alice, bob = await make_user(client), await make_user(client)
    host = await give_external_id(app, bob.username)
    sent = await send(client, alice, bob, subject="evidence", message="the body")
    made = (await report(client, bob, sent["id"], reason="harassment", note="n")).json()
    # The sender deletes it: the report keeps what was reported.
    gone = await client.delete(
        f"/users/{alice.username}/messages/{sent['id']}", headers=alice.headers
    )
    assert gone.status_code == 204
    page = await client.get(
        "/server/reports", params={"state": "open", "per_page": 100}, headers=moderator.headers
    )
    assert page.status_code == 200, page.text
    listed = {r["id"]: r for r in page.json()["reports"]}
    shown = listed[made["id"]]
    assert shown["message"] == {"id": sent["id"], "subject": "evidence", "message": "the body"}
    assert shown["reporter"] == {
        "username": bob.username,
        "external_id": host,
        "display_name": None,
    }
    assert shown["sender"]["username"] == alice.username
    assert (shown["reason"], shown["note"], shown["action"]) == ("harassment", "n", None)
    one = await client.get(f"/server/reports/{made['id']}", headers=moderator.headers)
    assert one.json() == shown
    missing = await client.get("/server/reports/999999999", headers=moderator.headers)
    assert missing.status_code == 404
    assert missing.json()["code"] == "report_not_found"
    assert (await resolve(client, moderator, made["id"], "dismiss")).status_code == 200
    resolved = await client.get(
        "/server/reports", params={"state": "resolved", "per_page": 100}, headers=moderator.headers
    )
    assert made["id"] in {r["id"] for r in resolved.json()["reports"]}
    still_open = await client.get(
        "/server/reports", params={"state": "open", "per_page": 100}, headers=moderator.headers
    )
    assert made["id"] not in {r["id"] for r in still_open.json()["reports"]}


async def test_dismissing_changes_nothing_and_resolves_once(client, moderator, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    sent = await send(client, alice, bob)
    made = (await report(client, bob, sent["id"])).json()
    done = await resolve(client, moderator, made["id"], "dismiss")
    assert done.status_code == 200, done.text
    assert (done.json()["state"], done.json()["action"]) == ("resolved", "dismiss")
    assert ids(await inbox(client, bob)) == [sent["id"]]
    twice = await resolve(client, moderator, made["id"], "delete_message")
    assert twice.status_code == 409
    assert twice.json()["code"] == "report_resolved"
    assert ids(await inbox(client, bob)) == [sent["id"]]
    assert (await resolve(client, moderator, 999999999, "dismiss")).status_code == 404


async def test_deleting_the_message_removes_it_for_everyone(client, moderator, dialect) -> None:
    alice, bob, carol = [await make_user(client) for _ in range(3)]
    sent = await send(client, alice, bob, carol)
    made = (await report(client, bob, sent["id"])).json()
    done = await resolve(client, moderator, made["id"], "delete_message")
    assert done.status_code == 200, done.text
    for user in (bob, carol):
        assert await inbox(client, user) == []
    assert await inbox(client, alice, box="sent") == []


async def test_suspending_the_sender(client, app, moderator, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    host = await give_external_id(app, alice.username)
    sent = await send(client, alice, bob)
    made = (await report(client, bob, sent["id"], reason="harassment")).json()
    assert (await resolve(client, moderator, made["id"], "suspend_sender")).status_code == 200
    refused = await client.post(
        f"/users/{alice.username}/messages",
        json={"receiver": bob.username, "subject": "s", "message": "m"},
        headers=alice.headers,
    )
    assert refused.json()["code"] == "account_suspended"
    held = await client.get(f"/server/users/{host}/sanctions", headers=moderator.headers)
    assert held.json()["suspended"]["reason"] == f"report {made['id']}: harassment"
    assert held.json()["history"][0]["actor"] == f"report:{made['id']}"


async def test_shadow_banning_the_sender(client, moderator, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    sent = await send(client, alice, bob)
    made = (await report(client, bob, sent["id"])).json()
    assert (await resolve(client, moderator, made["id"], "shadow_ban_sender")).status_code == 200
    later = await send(client, alice, bob, subject="unseen")
    assert later["receivers"] == [bob.username]
    assert ids(await inbox(client, bob)) == [sent["id"]]


async def test_reports_write_webhook_events(app, client, moderator, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    sent = await send(client, alice, bob)
    await add_endpoint_row(
        app_state(app).sessions, "https://93.184.215.14/hook", "report.created", "report.resolved"
    )
    try:
        made = (await report(client, bob, sent["id"], reason="spam")).json()
        assert (await resolve(client, moderator, made["id"], "dismiss")).status_code == 200
        async with app_state(app).sessions() as db:
            rows = (
                await db.execute(
                    select(WebhookEvent.type, WebhookEvent.data).where(
                        WebhookEvent.type.in_(["report.created", "report.resolved"])
                    )
                )
            ).all()
    finally:
        await forget_webhook_endpoints(app)
    events = {(kind, data["id"]): data for kind, data in rows}
    created = events[("report.created", made["id"])]
    assert (created["state"], created["reason"]) == ("open", "spam")
    assert created["reporter"]["username"] == bob.username
    resolved = events[("report.resolved", made["id"])]
    assert (resolved["state"], resolved["action"]) == ("resolved", "dismiss")


async def test_an_erasure_takes_the_users_blocks_and_reports_and_purge_sent_the_copy(
    app, client, moderator: TestKey
) -> None:
    """The reports a user made, and every block by or of them, go with their account;
    a report about what they sent keeps its copy of the message only while the message
    stays (pseudonymize)."""
    alice, bob, carol = [await make_user(client) for _ in range(3)]
    kept = await send(client, alice, bob, subject="kept")
    by_bob = (await report(client, bob, kept["id"], note="it was bob")).json()["id"]
    purged = await send(client, carol, bob, subject="purged")
    about_carol = (await report(client, bob, purged["id"])).json()["id"]
    for user, other in ((bob, alice), (carol, bob)):
        blocked = await client.put(
            f"/users/{user.username}/blocks/{other.username}", headers=user.headers
        )
        assert blocked.status_code == 200, blocked.text
    key = moderator
    async with app_state(app).sessions() as db:
        erased_ids = list(
            await db.scalars(
                select(User.id).where(User.username.in_([bob.username, carol.username]))
            )
        )

    async def shown(report_id: int) -> Any:
        answer = await client.get(f"/server/reports/{report_id}", headers=key.headers)
        return answer.json() if answer.status_code == 200 else answer.status_code

    assert (await shown(about_carol))["message"]["subject"] == "purged"
    host_id = await give_external_id(app, carol.username)
    eraser = await make_server_key(app, "users:write")
    erased = await client.delete(
        f"/server/users/{host_id}", params={"mode": "purge-sent"}, headers=eraser.headers
    )
    assert erased.status_code == 200, erased.text
    assert (await shown(about_carol))["message"]["subject"] == ""  # the message went: its copy too
    gone = await client.request(
        "DELETE", f"/users/{bob.username}", json={"password": bob.password}, headers=bob.headers
    )
    assert gone.status_code == 204, gone.text
    assert await shown(by_bob) == 404
    async with app_state(app).sessions() as db:
        blocks = await db.scalar(
            select(func.count())
            .select_from(Block)
            .where(or_(Block.blocker_id.in_(erased_ids), Block.blocked_id.in_(erased_ids)))
        )
    assert len(erased_ids) == 2
    assert blocks == 0
