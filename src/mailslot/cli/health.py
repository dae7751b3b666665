"""`mailslot healthcheck` (an exit status for a container) and `mailslot probe
send-receive` (a message between two probe users, timed from send to live delivery)."""

from __future__ import annotations

import contextlib
import json
import math
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Annotated, Any

import anyio
import httpx
import typer

from mailslot.cli.database import on_database
from mailslot.cli.output import ExitCode, fail, print_json
from mailslot.config import get_settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

probe = typer.Typer(help="End-to-end probes of a running server.", no_args_is_help=True)

# The probe users, provisioned by these external ids (and usernames) on first use.
PROBE_SENDER = "mailslot-probe-sender"
PROBE_RECEIVER = "mailslot-probe-receiver"
PROBE_DISPLAY_NAME = "mailslot probe"
PROBE_SUBJECT = "mailslot probe"

Url = Annotated[
    str | None,
    typer.Option(
        "--url", help="the server: http://127.0.0.1:$MAILSLOT_PORT unless given", show_default=False
    ),
]


def _default_url() -> str:
    settings = get_settings()
    host = settings.host if settings.host not in ("0.0.0.0", "::", "") else "127.0.0.1"  # noqa: S104
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}:{settings.port}"


def healthcheck(
    url: Url = None,
    timeout: Annotated[float, typer.Option("--timeout", min=0.1, help="seconds")] = 5.0,
) -> None:
    """Exit 0 if the server's /readyz answers 200 (it serves and its database answers),
    1 if it answers anything else, 6 if it cannot be reached: a container HEALTHCHECK
    with nothing else installed."""
    base = (url or _default_url()).rstrip("/")
    try:
        answer = httpx.get(f"{base}/readyz", timeout=timeout)
    except httpx.HTTPError as error:
        fail("healthcheck", f"{base} cannot be reached: {error!r}", ExitCode.UNAVAILABLE)
    if answer.status_code != 200:
        fail("healthcheck", f"{base}/readyz answered {answer.status_code}: {answer.text[:200]}")
    typer.echo("ok")


class ProbeFailed(Exception):
    def __init__(self, message: str, code: ExitCode = ExitCode.FAILED) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class ProbeResult:
    url: str
    message_id: int
    sent_ms: float  # POST of the message, answered
    received_ms: float  # from the POST to the event on the receiver's stream


@probe.command("send-receive")
def send_receive(
    url: Url = None,
    timeout: Annotated[
        float, typer.Option("--timeout", min=0.1, help="seconds for the whole exchange")
    ] = 10.0,
    json_output: Annotated[bool, typer.Option("--json", help="one JSON document")] = False,
) -> None:
    """Send a message from one probe user to the other through the server's API while
    the receiver listens on a live stream (SSE); print how long it took to arrive. The
    probe users (external ids mailslot-probe-sender and mailslot-probe-receiver) are
    provisioned in the database on first use; their tokens are signed out and the
    message deleted afterwards. Exit 1 on a timeout or a refusal, 6 when the server
    cannot be reached."""
    base = (url or _default_url()).rstrip("/")
    ttl = math.ceil(timeout) + 60
    tokens = on_database("probe send-receive", lambda engine: _probe_tokens(engine, ttl=ttl))
    try:
        result = anyio.run(_exchange, base, tokens, timeout)
    except ProbeFailed as error:
        if json_output:
            print_json({"ok": False, "url": base, "error": str(error)})
        fail("probe send-receive", str(error), error.code)
    if json_output:
        print_json({"ok": True, **asdict(result)})
    else:
        typer.echo(
            f"received in {result.received_ms:.1f} ms (sent in {result.sent_ms:.1f} ms), "
            f"message {result.message_id}"
        )


async def _probe_tokens(engine: AsyncEngine, *, ttl: int) -> dict[str, str]:
    """A token for each probe user, by username; the users are provisioned if missing."""
    from mailslot.accounts import minted, people
    from mailslot.db.engine import make_session_factory

    tokens = {}
    async with make_session_factory(engine)() as db:
        for external_id in (PROBE_SENDER, PROBE_RECEIVER):
            user, _ = await people.upsert_external_user(
                db, external_id=external_id, display_name=PROBE_DISPLAY_NAME, username=external_id
            )
            token = await minted.mint_token(
                db, external_id=external_id, ttl=ttl, scopes=["write"], label="probe"
            )
            tokens[user.account.username] = token.access_token
        await db.commit()
    return tokens


async def _exchange(base: str, tokens: dict[str, str], seconds: float) -> ProbeResult:
    sender, receiver = PROBE_SENDER, PROBE_RECEIVER
    auth = {name: {"Authorization": f"Bearer {token}"} for name, token in tokens.items()}
    async with httpx.AsyncClient(base_url=base, timeout=seconds) as http:
        try:
            with anyio.fail_after(seconds):
                return await _send_and_wait(http, auth, sender, receiver)
        except TimeoutError:
            raise ProbeFailed(f"no message on the stream within {seconds:g} s") from None
        except httpx.TransportError as error:
            raise ProbeFailed(
                f"{base} cannot be reached: {error!r}", ExitCode.UNAVAILABLE
            ) from None
        finally:
            with anyio.move_on_after(5, shield=True):
                for name, headers in auth.items():
                    # Else the token expires by itself, a minute after the timeout.
                    with contextlib.suppress(httpx.HTTPError):
                        await http.delete(f"/users/{name}/token", headers=headers)


async def _send_and_wait(
    http: httpx.AsyncClient, auth: dict[str, dict[str, str]], sender: str, receiver: str
) -> ProbeResult:
    # The stream subscribes before its status line goes out: once the headers are here,
    # the message is on its way to it.
    async with http.stream("GET", f"/users/{receiver}/events", headers=auth[receiver]) as stream:
        if stream.status_code != 200:
            await stream.aread()
            raise ProbeFailed(f"the stream was refused: {stream.status_code} {stream.text[:200]}")
        start = time.perf_counter()
        sent = await http.post(
            f"/users/{sender}/messages",
            json={"receivers": [receiver], "subject": PROBE_SUBJECT, "message": uuid.uuid4().hex},
            headers=auth[sender],
        )
        sent_ms = (time.perf_counter() - start) * 1000
        if sent.status_code != 201:
            raise ProbeFailed(f"the send was refused: {sent.status_code} {sent.text[:200]}")
        message_id = sent.json()["id"]
        try:
            async for event in _events(stream.aiter_lines()):
                if event.get("type") == "message.created" and event["data"]["id"] == message_id:
                    received_ms = (time.perf_counter() - start) * 1000
                    break
            else:
                raise ProbeFailed("the stream ended before the message came")
        finally:
            await http.delete(f"/users/{sender}/messages/{message_id}", headers=auth[sender])
    return ProbeResult(str(http.base_url).rstrip("/"), message_id, sent_ms, received_ms)


async def _events(lines: AsyncIterator[str]) -> AsyncIterator[dict[str, Any]]:
    """The envelopes of an SSE stream: its `data:` lines up to each blank line."""
    data: list[str] = []
    async for line in lines:
        if line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))
        elif not line.strip() and data:
            envelope = json.loads("\n".join(data))
            data = []
            if isinstance(envelope, dict):
                yield envelope
