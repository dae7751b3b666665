"""`mailslot healthcheck` and `mailslot probe send-receive` as processes, against a
running `mailslot serve` on the test database (conftest.py) and against an address nobody
serves."""

from __future__ import annotations

import json

import pytest

from tests.support.servers import free_port

pytestmark = [pytest.mark.anyio, pytest.mark.process, pytest.mark.timeout(300)]


async def test_healthcheck_passes_while_the_server_serves(mailslot) -> None:
    # No --url: http://127.0.0.1:$MAILSLOT_PORT, the server's own port.
    assert mailslot("healthcheck") == "ok\n"


async def test_healthcheck_fails_when_no_server_answers(mailslot) -> None:
    nobody = f"http://127.0.0.1:{free_port()}"
    assert "cannot be reached" in mailslot("healthcheck", "--url", nobody, code=6)


async def test_probe_times_a_message_to_a_live_stream_and_cleans_up(mailslot, server) -> None:
    text = mailslot("probe", "send-receive")
    assert text.startswith("received in "), text
    probed = json.loads(mailslot("probe", "send-receive", "--url", server.url, "--json"))
    assert probed["ok"] is True
    assert probed["url"] == server.url
    assert probed["sent_ms"] > 0
    assert probed["sent_ms"] <= probed["received_ms"]

    # The probe users are provisioned ones; their mail is deleted, their tokens signed out.
    for external_id in ("mailslot-probe-sender", "mailslot-probe-receiver"):
        shown = json.loads(mailslot("user", "show", "--external-id", external_id, "--json"))
        assert shown["external_id"] == external_id
        assert shown["sessions"]["tokens"] == 0
        assert shown["messages"]["sent"] == 0
        assert shown["messages"]["received"] == 0


async def test_probe_fails_against_a_wrong_url(mailslot) -> None:
    nobody = f"http://127.0.0.1:{free_port()}"
    failed = mailslot("probe", "send-receive", "--url", nobody, "--json", code=6)
    assert "cannot be reached" in failed
    assert json.loads(mailslot.last_stdout) == {
        "ok": False,
        "url": nobody,
        "error": failed.removeprefix("mailslot probe send-receive: ").strip(),
    }
