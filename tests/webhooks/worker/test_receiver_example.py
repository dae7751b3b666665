"""docs/examples/webhook_receiver.py, run as a host runs it, receiving from a real worker."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mailslot.webhooks import signing
from tests.support.servers import free_port
from tests.webhooks.worker.conftest import wait_for

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]

EXAMPLE = Path(__file__).parents[3] / "docs" / "examples" / "webhook_receiver.py"


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[tuple[str, str, Path]]:
    """The example, started as a host starts it: its URL, secret and output file."""
    secret = signing.new_secret()
    port = free_port()
    output = tmp_path / "receiver.out"
    with output.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, str(EXAMPLE), str(port)],
            env={**os.environ, "WEBHOOK_SECRET": secret},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield f"http://127.0.0.1:{port}/mailslot", secret, output
    finally:
        process.terminate()
        process.wait()


async def test_the_receiver_example_verifies_and_drops_duplicates(hooks, receiver) -> None:
    url, secret, output = receiver
    async with httpx.AsyncClient() as client:

        async def forge() -> httpx.Response | None:
            try:
                return await client.post(url, content=b"{}", headers={"webhook-id": "msg_x"})
            except httpx.TransportError:
                return None  # not listening yet

        forged = await wait_for(forge, within=20)
        async with hooks() as h:
            endpoint = await h.endpoint(url, secret=secret)
            event_id = await h.emit("user.created", user={"username": "ann"})
            done = await wait_for(lambda: h.settled(event_id, endpoint))
        # A redelivery (same id, signed anew) is acknowledged but not acted on twice.
        body = b'{"type":"user.created","timestamp":"2026-12-07T00:00:00Z","data":{}}'
        headers = signing.headers([secret], event_id, int(time.time()), body)
        again = await client.post(url, content=body, headers=headers)

    assert forged.status_code == 400
    assert done.status == "succeeded"
    assert again.status_code == 204
    lines = [json.loads(line) for line in output.read_text().splitlines()]
    assert lines == [
        {"id": event_id, "type": "user.created", "data": {"user": {"username": "ann"}}}
    ]
