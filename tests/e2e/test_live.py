"""Live delivery in the page (issue #4's SSE contract): two people, one sends, the other
sees it arrive with no reload; the page recovers by itself when the connection drops."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
from playwright.sync_api import expect

from tests.e2e.pages import Mailbox, make_user, send


def _expect_live(box: Mailbox) -> None:
    expect(box.page.locator("#live-status")).to_have_attribute("data-state", "live")


def test_two_people_see_a_message_arrive_change_and_go(open_mailbox, server) -> None:
    alice, bob = make_user(server, "alice"), make_user(server, "bob")
    sender, receiver = open_mailbox(), open_mailbox()
    sender.sign_in(alice)
    receiver.sign_in(bob)
    _expect_live(sender)
    _expect_live(receiver)
    receiver.page.evaluate("window.notReloaded = true")

    # 1. One sends.
    sender.compose(bob.name, "Live hello", "Did this arrive by itself?")
    expect(sender.notice).to_have_text(f"Sent to {bob.name}.")

    # 2. The other sees it arrive, with no reload; opens it, marks it unread.
    receiver.expect_unread("Live hello")
    receiver.expect_badge(1)
    expect(receiver.notice).to_have_text(f"New message from {alice.name}: Live hello")
    assert receiver.page.evaluate("window.notReloaded") is True
    receiver.shot("arrived")
    receiver.open("Live hello")
    receiver.expect_badge(0)
    receiver.page.get_by_role("button", name="Mark unread").click()
    receiver.expect_badge(1)
    receiver.page.get_by_role("link", name="Back to Conversations").click()
    receiver.expect_unread("Live hello")

    # 3. The sender deletes it for everyone; it leaves the receiver's page by itself.
    sender.go_to("Sent")
    sender.open("Live hello")
    sender.page.get_by_role("button", name="Delete for everyone").click()
    sender.dialog.get_by_role("button", name="Delete for everyone").click()
    expect(sender.notice).to_have_text("Deleted for everyone.")
    expect(receiver.item("Live hello")).to_have_count(0)
    receiver.expect_badge(0)
    assert receiver.page.evaluate("window.notReloaded") is True

    # 4. Both sign out.
    sender.sign_out()
    receiver.sign_out()
    expect(receiver.page.locator("#live-status")).to_have_attribute("data-state", "off")


def test_an_open_message_deleted_by_its_sender_closes(open_mailbox, server) -> None:
    alice, bob = make_user(server, "alice"), make_user(server, "bob")
    message_id = send(server, alice, [bob.name], "Soon gone")
    receiver = open_mailbox()
    receiver.sign_in(bob)
    _expect_live(receiver)
    receiver.open("Soon gone")
    deleted = httpx.delete(
        f"{server.url}/users/{alice.name}/messages/{message_id}",
        headers={"Authorization": f"Bearer {alice.token}"},
    )
    assert deleted.status_code == 204
    expect(receiver.page.locator("#list-title")).to_have_text("Conversations")
    expect(receiver.notice).to_have_text(f"{alice.name} deleted “Soon gone”.")
    expect(receiver.item("Soon gone")).to_have_count(0)


def test_the_page_recovers_after_the_connection_drops(open_mailbox, server) -> None:
    alice, bob = make_user(server, "alice"), make_user(server, "bob")
    box = open_mailbox()
    streams: list[str] = []
    box.page.on(
        "request",
        lambda request: streams.append(request.url) if "/events?" in request.url else None,
    )
    box.sign_in(alice)
    _expect_live(box)
    send(server, bob, [alice.name], "Before the drop")
    expect(box.item("Before the drop")).to_be_visible()

    # Hold new tickets back, so the message below can only come back through `since`.
    box.page.route("**/stream-tickets", lambda route: route.abort())
    server.kill()
    expect(box.page.locator("#live-status")).to_have_attribute("data-state", "reconnecting")
    server.start()
    send(server, bob, [alice.name], "While disconnected")
    box.page.unroute("**/stream-tickets")
    box.page.evaluate("window.dispatchEvent(new Event('online'))")  # retry now, not later

    _expect_live(box)
    box.expect_unread("While disconnected")
    box.expect_badge(2)
    first, last = parse_qs(urlsplit(streams[0]).query), parse_qs(urlsplit(streams[-1]).query)
    assert first["ticket"] != last["ticket"]  # a fresh ticket for each connection
    assert int(last["since"][0]) >= 1  # resumed from the last event seen
    send(server, bob, [alice.name], "After the recovery")
    expect(box.item("After the recovery")).to_be_visible()
    box.expect_badge(3)
