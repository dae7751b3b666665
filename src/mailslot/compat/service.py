"""Seed A's own rules over the account and message services: its session, who may write
and delete what, and finding a message by its fields. Callers own the transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from mailslot.accounts import service as accounts
from mailslot.accounts.security import CredentialDigests, Passwords
from mailslot.accounts.service import Account
from mailslot.compat import queries
from mailslot.compat.schemas import SeedAMessageBody
from mailslot.compat.timestamps import parse_rfc1123
from mailslot.errors import (
    MessageNotFound,
    NotTheSender,
    NotYourMessage,
    SessionNotStarted,
    Unprocessable,
)
from mailslot.messages import service as messages
from mailslot.messages.views import MessageView
from mailslot.policy.gate import Gate

# Seed A lists "all" messages in one answer; a bound keeps that answer's cost fixed.
MAX_LISTED = 1000


@dataclass(frozen=True, slots=True)
class Credentials:
    """The `username` and `password` of a seed A query string, and the address they came
    from (the sign-in throttle's)."""

    username: str
    password: str
    client: str | None


async def _authenticate(
    db: AsyncSession, passwords: Passwords, digests: CredentialDigests, credentials: Credentials
) -> accounts.Verified:
    # A started session's keyed hash makes a right password cheap to check.
    return await accounts.authenticate(
        db,
        passwords,
        username=credentials.username,
        password=credentials.password,
        client=credentials.client,
        session_digests=digests,
    )


async def signed_in_user(
    db: AsyncSession, passwords: Passwords, digests: CredentialDigests, credentials: Credentials
) -> Account:
    """The user a message request acts as: valid credentials *and* a started session.
    Raises InvalidCredentials, then SessionNotStarted (401): the session state is told only
    to whoever knows the password."""
    verified = await _authenticate(db, passwords, digests, credentials)
    if not await accounts.has_legacy_session(db, verified):
        raise SessionNotStarted(
            "Your credentials are right but no session is started: "
            "POST //login?username=<username>&password=<password> first."
        )
    return verified.user


async def log_in(
    db: AsyncSession, passwords: Passwords, digests: CredentialDigests, credentials: Credentials
) -> Account:
    """Start the user's seed A session (again, if it is started: harmless)."""
    verified = await _authenticate(db, passwords, digests, credentials)
    await accounts.start_legacy_session(db, digests, verified, password=credentials.password)
    return verified.user


async def log_out(
    db: AsyncSession, passwords: Passwords, digests: CredentialDigests, credentials: Credentials
) -> Account:
    """End the user's seed A session; ending one that is not started is harmless."""
    user = (await _authenticate(db, passwords, digests, credentials)).user
    await accounts.end_legacy_session(db, user=user)
    return user


async def write_message(
    db: AsyncSession, *, user: Account, body: SeedAMessageBody, gate: Gate | None = None
) -> MessageView:
    """Send as seed A does: the sender named in the JSON must be the signed-in user
    (NotTheSender, 403) and the receiver registered (UnknownReceiver, 422). The client's
    timestamp is kept as written, beside the server's own time. With a `gate`, the
    messaging policy and the abuse budgets apply as to any send (a new message: it
    starts a conversation)."""
    check_write(user=user, body=body)
    if gate is not None:
        await gate.check(db, sender=user, receivers=[body.receiver], thread=None)
    return await messages.send_message(
        db,
        sender=user,
        receivers=[body.receiver],
        subject=body.subject,
        text=body.message,
        client_timestamp=body.timestamp,
    )


def check_write(*, user: Account, body: SeedAMessageBody) -> None:
    """Seed A's rules for a write that need no database (write_message's first)."""
    if accounts.username_key(body.sender) != accounts.username_key(user.username):
        raise NotTheSender(
            f"You are signed in as {user.username}; 'sender' must be you, not {body.sender}."
        )
    if body.id is not None:
        raise Unprocessable(
            "The server gives a new message its id: leave 'id' out when writing.",
            errors=[{"pointer": "/body/id", "detail": "not allowed with request=write"}],
        )


async def delete_message(
    db: AsyncSession, *, user: Account, body: SeedAMessageBody
) -> tuple[MessageView, Literal["everyone", "you"]]:
    """Delete the message the JSON describes. Its sender deletes it for everyone, its
    receiver from their own inbox; anyone else gets NotYourMessage (403) and nothing
    changes. When several messages match, the oldest (lowest id) goes: each request deletes
    one, in the order they were written. Raises MessageNotFound when none matches."""
    key = accounts.username_key(user.username)
    if key not in (accounts.username_key(body.sender), accounts.username_key(body.receiver)):
        raise NotYourMessage(
            f"Only its sender ({body.sender}) or its receiver ({body.receiver}) may delete "
            "this message."
        )
    message_id = await queries.find_message_by_fields(
        db,
        viewer=user,
        sender=body.sender,
        receiver=body.receiver,
        subject=body.subject,
        text=body.message,
        timestamp=body.timestamp,
        sent_second=parse_rfc1123(body.timestamp) if body.timestamp is not None else None,
        message_id=body.id,
    )
    if message_id is None:
        raise MessageNotFound("No message in your mailbox matches these fields.")
    view = await messages.find_message(db, viewer=user, message_id=message_id)
    scope = await messages.delete_message(db, viewer=user, message_id=message_id)
    return view, "everyone" if scope == "everyone" else "you"


async def list_all(db: AsyncSession, *, user: Account) -> tuple[list[MessageView], bool]:
    """Received and sent messages, newest first, at most MAX_LISTED; and whether older
    ones were left out."""
    return await queries.list_received_and_sent(db, viewer=user, limit=MAX_LISTED)


async def read_oldest_unread(db: AsyncSession, *, user: Account) -> MessageView | None:
    """The oldest unread received message, now marked read; None when every one is."""
    return await queries.read_oldest_unread(db, viewer=user)


async def list_unread(db: AsyncSession, *, user: Account) -> tuple[list[MessageView], bool]:
    """Unread received messages, newest first, at most MAX_LISTED; none is marked read."""
    return await messages.list_messages(
        db, viewer=user, box="inbox", unread=True, below_id=None, offset=0, limit=MAX_LISTED
    )
