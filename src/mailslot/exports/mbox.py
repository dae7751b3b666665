"""A message as one entry of an mbox file (mboxrd: RFC 4155 and the "From " quoting that
mutt, Thunderbird and Python's `mailbox` read), from the view the API gives.

Usernames become addresses at `mailslot.invalid` (RFC 2606: a name that never routes):
an archive names no one's real email address. The mail's own fields that have no RFC 5322
header travel as `X-Mailslot-*` headers; the read state as `Status:` (`RO` read, `O`
not), which mail readers show. Written by hand rather than with the `email` package's
generator: that costs ten times as much per message, and an export renders every one."""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime
from email.header import Header
from email.utils import format_datetime, formataddr

from mailslot.messages.schemas import MessageRead

DOMAIN = "mailslot.invalid"
_MAX_LINE = 998  # RFC 5322 §2.1.1, without CRLF
_BREAKS = re.compile(r"\r\n?|\n")
_QUOTED_FROM = re.compile(rb"^(>*From )", re.MULTILINE)


def address(username: str, display_name: str | None) -> str:
    return formataddr((display_name or "", f"{username}@{DOMAIN}"), charset="utf-8")


def _header(name: str, value: str) -> str:
    one_line = _BREAKS.sub(" ", value)
    if one_line.isascii() and len(name) + len(one_line) < _MAX_LINE - 2:
        return f"{name}: {one_line}\n"
    return f"{name}: {Header(one_line, 'utf-8', header_name=name).encode(linesep=chr(10))}\n"


def _message_id(message_id: int) -> str:
    return f"<{message_id}@{DOMAIN}>"


def _envelope_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%a %b %d %H:%M:%S %Y")


def _body(text: str) -> tuple[str, bytes]:
    """The body's transfer encoding and bytes: as is (7bit, 8bit) while its lines fit
    RFC 5322's limit, else base64."""
    lines = _BREAKS.split(text)
    raw = "\n".join(lines).encode("utf-8", "surrogatepass")
    if all(len(line.encode("utf-8", "surrogatepass")) <= _MAX_LINE for line in lines):
        encoding = "7bit" if raw.isascii() else "8bit"
        return encoding, raw if raw.endswith(b"\n") else raw + b"\n"
    return "base64", base64.encodebytes(raw).replace(b"\r\n", b"\n")


def entry(message: MessageRead, *, box: str) -> bytes:
    """The message as an mbox entry: the "From " line, headers, body, a blank line."""
    sender = address(message.sender, message.sender_display_name)
    receivers = ", ".join(
        address(name, shown)
        for name, shown in zip(message.receivers, message.receiver_display_names, strict=True)
    )
    read = message.read
    headers = [
        f"From {message.sender}@{DOMAIN} {_envelope_time(message.created_at)}\n",
        f"From: {sender}\n",
        f"To: {receivers}\n",
        _header("Subject", message.subject),
        f"Date: {format_datetime(message.created_at.astimezone(UTC), usegmt=True)}\n",
        f"Message-ID: {_message_id(message.id)}\n",
    ]
    if message.reply_to is not None:
        headers.append(f"In-Reply-To: {_message_id(message.reply_to)}\n")
        references = dict.fromkeys([message.thread_id, message.reply_to])
        headers.append(f"References: {' '.join(_message_id(i) for i in references)}\n")
    headers += [
        f"X-Mailslot-Id: {message.id}\n",
        f"X-Mailslot-Thread: {message.thread_id}\n",
        f"X-Mailslot-Box: {box}\n",
        f"Status: {'RO' if read else 'O'}\n",
    ]
    if message.read_at is not None:
        headers.append(f"X-Mailslot-Read-At: {message.read_at.isoformat()}\n")
    if message.context is not None:
        context = json.dumps(message.context.model_dump(), ensure_ascii=True, sort_keys=True)
        headers.append(_header("X-Mailslot-Context", context))
    encoding, body = _body(message.message)
    headers += [
        "MIME-Version: 1.0\n",
        "Content-Type: text/plain; charset=utf-8\n",
        f"Content-Transfer-Encoding: {encoding}\n",
        "\n",
    ]
    # mboxrd: a body line that begins with "From " (after any ">") gets one ">" more.
    return "".join(headers).encode() + _QUOTED_FROM.sub(rb">\1", body) + b"\n"
