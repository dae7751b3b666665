"""The pre-send hook (issue 19, item 8; docs/webhooks.md): before a send is stored, the
message goes, signed as webhooks are, to the host's one hook, which allows it, denies it
with a reason, or modifies its subject and body, all within MAILSLOT_SEND_HOOK_TIMEOUT_MS.

The doors ask it before they open the send's transaction, so no database connection waits
on the host. A denial is PolicyDenied (403) and nothing is stored. A hook that does not
answer in time, cannot be reached, answers other than 2xx, or answers anything but one of
the three actions (a modified subject or body that a client could not send included) has
failed: the send goes on unchanged (MAILSLOT_SEND_HOOK_FAILURE=allow) or is refused with
SendHookUnavailable (503, `deny`); either way it is logged.

The hook's address is checked at startup and resolved again at each call, every address
public unless MAILSLOT_WEBHOOK_ALLOW_PRIVATE (targets.py): the request goes to the address
just checked, with the URL's host in Host and in TLS's server name.
"""

from __future__ import annotations

import json
import logging
import time
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import anyio
import httpx
from pydantic import TypeAdapter, ValidationError

from mailslot import __version__
from mailslot.config import Settings
from mailslot.errors import PolicyDenied, SendHookUnavailable, WebhookUrlRefused
from mailslot.messages.context import Context
from mailslot.messages.schemas import Body, Subject
from mailslot.webhooks import signing, targets
from mailslot.webhooks.outbox import new_event_id

log = logging.getLogger("mailslot.sendhook")

EVENT_TYPE = "message.sending"
MAX_ANSWER_BYTES = 64 * 1024
MAX_REASON = 500  # characters of the host's reason that reach the client
DEFAULT_REASON = "The message was refused by the service's policy."
# Where a send came in: the native API (seed B's address too), the server API's send-as,
# seed A's `//message?request=write`. A reply is any of them with `reply_to`.
Door = Literal["api", "server", "seed_a"]

_SUBJECT: TypeAdapter[str] = TypeAdapter(Subject)
_BODY: TypeAdapter[str] = TypeAdapter(Body)


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A send as the hook is shown it: addressed (a reply's receivers and context are
    those it will be stored with), not yet stored."""

    door: Door
    sender: str
    receivers: list[str]
    subject: str
    body: str
    context: Context | None = None
    reply_to: int | None = None

    def data(self) -> dict[str, Any]:
        return {
            "door": self.door,
            "sender": self.sender,
            "receivers": self.receivers,
            "subject": self.subject,
            "body": self.body,
            "context": None
            if self.context is None
            else {
                "ref": self.context.ref,
                "data": self.context.data,
                "signed": self.context.signed,
            },
            "reply_to": self.reply_to,
        }


@dataclass(frozen=True, slots=True)
class Vetted:
    """What may be sent: the subject and body as given, or as the hook modified them."""

    subject: str
    body: str


class HookFailed(Exception):
    """The hook did not give a usable answer; the message says why, for the log."""


def sanitize(reason: str) -> str:
    """The host's reason as a client may see it: control and format characters dropped,
    white space runs made one space, at most MAX_REASON characters."""
    kept = "".join(
        " " if char.isspace() else char
        for char in reason
        if char.isspace() or not unicodedata.category(char).startswith("C")
    )
    words = " ".join(kept.split())
    return words if len(words) <= MAX_REASON else words[: MAX_REASON - 1].rstrip() + "…"


def _text(adapter: TypeAdapter[str], answer: dict[str, Any], field: str, given: str) -> str:
    value = answer.get(field, given)
    if not isinstance(value, str):
        raise HookFailed(f"modify: {field} is not a string")
    try:
        return adapter.validate_python(value)
    except ValidationError as exc:
        raise HookFailed(
            f"modify: {field} is not one a client could send ({exc.errors()[0]['msg']})"
        ) from None


def decide(outgoing: Outgoing, answer: bytes) -> Vetted:
    """Read the hook's answer: Vetted for allow or modify, PolicyDenied for deny;
    HookFailed for anything else."""
    try:
        parsed = json.loads(answer)
    except ValueError:
        raise HookFailed("the answer is not JSON") from None
    if not isinstance(parsed, dict):
        raise HookFailed("the answer is not a JSON object")
    action = parsed.get("action")
    if action == "allow":
        return Vetted(outgoing.subject, outgoing.body)
    if action == "deny":
        reason = parsed.get("reason")
        shown = sanitize(reason) if isinstance(reason, str) else ""
        raise PolicyDenied(shown or DEFAULT_REASON)
    if action == "modify":
        return Vetted(
            _text(_SUBJECT, parsed, "subject", outgoing.subject),
            _text(_BODY, parsed, "body", outgoing.body),
        )
    raise HookFailed(f"unknown action {str(action)[:40]!r}")


class SendHook:
    """The deployment's one hook and its HTTP client (app state; closed at shutdown)."""

    def __init__(
        self,
        *,
        url: str,
        secret: str,
        timeout_ms: int,
        fail_open: bool,
        allow_private: bool,
        transport: httpx.AsyncBaseTransport | None = None,  # tests: httpx.MockTransport
    ) -> None:
        self.target = targets.parse(url)
        self.secret = secret
        self.budget = timeout_ms / 1000
        self.fail_open = fail_open
        self.allow_private = allow_private
        self.client = httpx.AsyncClient(
            follow_redirects=False,
            timeout=httpx.Timeout(self.budget),
            # The environment's proxies would see the request before our address check.
            trust_env=False,
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=16),
            headers={"User-Agent": f"mailslot/{__version__}"},
            transport=transport,
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> SendHook | None:
        """The hook MAILSLOT_SEND_HOOK_URL names, None without one. Raises ValueError when
        it has no secret or the URL is malformed (not resolved yet: `check`)."""
        if not settings.send_hook_url:
            return None
        if settings.send_hook_secret is None:
            raise ValueError("MAILSLOT_SEND_HOOK_URL needs MAILSLOT_SEND_HOOK_SECRET (whsec_...).")
        secret = settings.send_hook_secret.get_secret_value()
        try:
            signing.signature(secret, "msg_check", 0, b"")
        except ValueError:
            raise ValueError("MAILSLOT_SEND_HOOK_SECRET is whsec_ and base64.") from None
        return cls(
            url=settings.send_hook_url,
            secret=secret,
            timeout_ms=settings.send_hook_timeout_ms,
            fail_open=settings.send_hook_failure == "allow",
            allow_private=settings.webhook_allow_private,
        )

    async def check(self) -> None:
        """At startup: the URL's host must resolve, to public addresses only unless
        private ones are allowed (WebhookUrlRefused)."""
        await targets.resolve(self.target, allow_private=self.allow_private)

    async def aclose(self) -> None:
        await self.client.aclose()

    async def vet(self, outgoing: Outgoing) -> Vetted:
        """Ask the hook about a send. Raises PolicyDenied (403) when it denies, and
        SendHookUnavailable (503) when it fails while failures deny."""
        started = time.monotonic()
        try:
            with anyio.fail_after(self.budget):
                answer = await self._ask(outgoing)
            return decide(outgoing, answer)
        except PolicyDenied as denied:
            log.info(
                "send hook denied %s's message (door %s): %s",
                outgoing.sender,
                outgoing.door,
                denied.detail,
            )
            raise
        except (HookFailed, TimeoutError, httpx.HTTPError, OSError, WebhookUrlRefused) as exc:
            why = "no answer within the budget" if isinstance(exc, TimeoutError) else str(exc)
            log.warning(
                "send hook failed after %d ms (%s): %s's message (door %s) %s",
                (time.monotonic() - started) * 1000,
                why or type(exc).__name__,
                outgoing.sender,
                outgoing.door,
                "sent unvetted" if self.fail_open else "refused",
            )
            if self.fail_open:
                return Vetted(outgoing.subject, outgoing.body)
            raise SendHookUnavailable(
                "The service's pre-send check is unavailable; the message was not sent. "
                "Retry later.",
                headers={"Retry-After": "1"},
            ) from None

    async def _ask(self, outgoing: Outgoing) -> bytes:
        """POST the message to the hook; the answer's body, at most MAX_ANSWER_BYTES."""
        # Resolved and checked now, not only at startup: the name may point elsewhere by
        # now (DNS rebinding). The request goes to the address checked.
        addresses = await targets.resolve(self.target, allow_private=self.allow_private)
        event_id = new_event_id()
        now = datetime.now(UTC)
        body = json.dumps(
            {
                "type": EVENT_TYPE,
                "timestamp": now.isoformat().replace("+00:00", "Z"),
                "data": outgoing.data(),
            },
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()
        headers = {
            "Content-Type": "application/json",
            **signing.headers([self.secret], event_id, int(now.timestamp()), body),
        }
        # The first address only, within the hook's short budget.
        response = await targets.post_pinned(
            self.client,
            self.target,
            addresses[:1],
            content=body,
            headers=headers,
            budget=self.budget,
        )
        try:
            if not 200 <= response.status_code < 300:
                raise HookFailed(f"status {response.status_code}")
            answer = bytearray()
            async for chunk in response.aiter_bytes():
                answer += chunk
                if len(answer) > MAX_ANSWER_BYTES:
                    raise HookFailed(f"an answer longer than {MAX_ANSWER_BYTES} bytes")
            return bytes(answer)
        finally:
            await response.aclose()
