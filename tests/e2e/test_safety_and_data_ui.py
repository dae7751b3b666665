"""Block, Report, Export and Delete account in the browser, against the routes of issues
21 and 22 (preamble contract): they fail where those routes have not landed."""

from __future__ import annotations

import httpx
from playwright.sync_api import expect

from tests.e2e.pages import PASSWORD, make_user, send


def test_block_and_unblock_from_the_conversation_and_settings(open_mailbox, server) -> None:
    alice, bob = make_user(server, "alice"), make_user(server, "bob")
    send(server, bob, [alice.name], "Unwanted")
    box = open_mailbox()
    page = box.page
    box.sign_in(alice)
    box.open("Unwanted")
    page.get_by_role("button", name=f"Block {bob.name}").click()
    expect(box.dialog).to_contain_text(f"{bob.name} will not be able to send you messages")
    box.dialog.get_by_role("button", name="Block").click()
    expect(box.notice).to_have_text(f"You blocked {bob.name}.")
    expect(page.get_by_role("button", name=f"Unblock {bob.name}")).to_be_focused()
    blocks = httpx.get(
        f"{server.url}/users/{alice.name}/blocks",
        headers={"Authorization": f"Bearer {alice.token}"},
    ).json()["blocks"]
    assert [b["username"] for b in blocks] == [bob.name]

    page.get_by_role("link", name="Settings").click()
    blocked = page.locator("#blocks-list > li")
    expect(blocked).to_have_count(1)
    expect(blocked).to_contain_text(bob.name)
    blocked.get_by_role("button", name=f"Unblock {bob.name}").click()
    expect(box.notice).to_have_text(f"You unblocked {bob.name}.")
    expect(blocked).to_have_count(0)
    expect(page.locator("#blocks-empty")).to_be_visible()


def test_report_a_received_message(open_mailbox, server) -> None:
    alice, bob = make_user(server, "alice"), make_user(server, "bob")
    message_id = send(server, bob, [alice.name], "Rude words")
    box = open_mailbox()
    page = box.page
    box.sign_in(alice)
    box.open("Rude words")
    page.get_by_role("button", name="Report").click()
    dialog = page.get_by_role("dialog", name="Report this message")
    dialog.get_by_label("Harassment").check()
    dialog.get_by_label("Anything to add (optional)").fill("Third time this week.")
    with page.expect_response(f"**/messages/{message_id}/report") as answer:
        dialog.get_by_role("button", name="Send report").click()
    assert answer.value.status == 201
    assert answer.value.request.post_data_json == {
        "reason": "harassment",
        "note": "Third time this week.",
    }
    expect(box.notice).to_have_text("Thank you: the report is sent to the moderators.")
    expect(dialog).to_be_hidden()
    # One's own message has nothing to report.
    box.go_to("Sent")
    send(server, alice, [bob.name], "Mine")
    box.page.reload()
    box.open("Mine")
    expect(page.get_by_role("button", name="Report")).to_be_hidden()


def test_export_my_data_until_its_download_link(open_mailbox, server) -> None:
    alice, bob = make_user(server, "alice"), make_user(server, "bob")
    send(server, bob, [alice.name], "Keep this")
    box = open_mailbox()
    page = box.page
    box.sign_in(alice)
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("button", name="Export my data").click()
    download = page.get_by_role("link", name="Download your data")
    expect(download).to_be_visible(timeout=30_000)
    href = download.get_attribute("href")
    assert href
    archive = httpx.get(f"{server.url}{href}" if href.startswith("/") else href)
    assert archive.status_code == 200
    assert archive.content
    # A second export within the hour is refused with the server's sentence.
    page.get_by_role("button", name="Export my data").click()
    expect(page.locator("#export-status")).not_to_have_text("")


def test_delete_account_needs_the_password_and_signs_out(open_mailbox, server) -> None:
    alice = make_user(server, "alice")
    box = open_mailbox()
    page = box.page
    box.sign_in(alice)
    page.get_by_role("link", name="Settings").click()
    form = page.locator("#delete-account-form")
    form.get_by_label("Password").fill("not my password")
    form.get_by_role("button", name="Delete my account").click()
    box.dialog.get_by_role("button", name="Delete my account").click()
    expect(page.locator("#delete-account-password")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#whoami")).to_have_text(alice.name)  # still signed in
    form.get_by_label("Password").fill(PASSWORD)
    form.get_by_role("button", name="Delete my account").click()
    box.dialog.get_by_role("button", name="Delete my account").click()
    expect(box.notice).to_have_text("Your account is deleted.")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    signed_in = httpx.post(f"{server.url}/users/{alice.name}/token", json={"password": PASSWORD})
    assert signed_in.status_code == 401
