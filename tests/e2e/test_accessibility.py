"""axe-core (pinned in tests/e2e/axe, installed by `make test`) on every view of the client,
light and dark, desktop and phone: no serious or critical violation."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE
from tests.e2e.pages import Mailbox, make_user, send

AXE = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
RUN = """async () => {
  const result = await axe.run(document, {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
  });
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}"""


def serious_violations(box: Mailbox) -> list[str]:
    # The page's CSP admits only its own scripts: the context bypasses it to inject axe.
    if not box.page.evaluate("typeof axe !== 'undefined'"):
        box.page.add_script_tag(path=str(AXE))
    found: list[str] = box.page.evaluate(RUN)
    return found


@pytest.mark.parametrize(
    ("scheme", "phone"),
    [("light", False), ("dark", False), ("light", True)],
    ids=["light", "dark", "phone"],
)
def test_every_view_has_no_serious_violation(open_mailbox, server, scheme, phone) -> None:
    if not AXE.exists():
        pytest.skip(f"{AXE} is missing: `make test` installs it (npm ci in tests/e2e/axe)")
    alice, bob = make_user(server, "alice"), make_user(server, "bob")
    send(server, bob, [alice.name], "Checked by axe")
    options = {"viewport": PHONE, "is_mobile": True, "has_touch": True} if phone else {}
    box = open_mailbox(color_scheme=scheme, bypass_csp=True, **options)
    page = box.page
    seen: dict[str, list[str]] = {"sign in": serious_violations(box)}
    box.sign_in(alice)
    expect(box.items).to_have_count(1)
    seen["conversations"] = serious_violations(box)
    box.open("Checked by axe")
    expect(box.thread).to_have_count(1)
    seen["conversation"] = serious_violations(box)
    page.get_by_role("link", name="Compose").click()
    seen["compose"] = serious_violations(box)
    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", name="Settings", exact=True)).to_be_visible()
    seen["settings"] = serious_violations(box)
    page.get_by_role("link", name="Inbox").click()
    expect(box.items).to_have_count(1)
    seen["inbox"] = serious_violations(box)
    assert {view: found for view, found in seen.items() if found} == {}
    # The check can fail: a button with no name is caught.
    page.evaluate("document.getElementById('list-view').append(document.createElement('button'))")
    assert any(v.startswith("button-name") for v in serious_violations(box))
