"""Account tables: users and their access tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from mailslot.db.base import Base, BigId, UTCDateTime

READ_SCOPE = "read"
WRITE_SCOPE = "write"
FULL_SCOPES = f"{READ_SCOPE} {WRITE_SCOPE}"


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64))
    # Casefolded username: uniqueness and look-ups ignore case, display keeps it.
    username_key: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str | None] = mapped_column(String(320))
    email_key: Mapped[str | None] = mapped_column(String(320), unique=True)
    # NO_PASSWORD (accounts.service) for a user a host application provisioned: password
    # sign-in then fails exactly as a wrong password does.
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Seed A's /login and /logout state (design §3).
    legacy_logged_in: Mapped[bool] = mapped_column(Boolean, server_default=false(), default=False)
    # The newest sequence number of the user's change log; bumped in the transaction
    # that records a change, so it orders the user's changes in commit order.
    last_change_seq: Mapped[int] = mapped_column(BigInteger, server_default=text("0"), default=0)
    # While a seed A session is started: HMAC-SHA256, under the server's secret key, of the
    # credentials that started it (accounts.security.CredentialDigests). Each seed A request
    # carries the password; this checks it without argon2. Null when no session is started.
    legacy_session_digest: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    # The host application's own id for the user (issue 18), unique; None for a user who
    # registered here.
    external_id: Mapped[str | None] = mapped_column(String(128))
    # Shown beside the username wherever a sender or receiver is shown; may change.
    display_name: Mapped[str | None] = mapped_column(String(100))
    # The host's JSON object about the user, at most 4 KiB serialized; mailslot never reads it.
    custom: Mapped[dict[str, object] | None] = mapped_column(JSON)
    # Set while the user is deactivated: no token, no sign-in, no sending, no receiving.
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Sanctions (safety/sanctions.py), read by every send in its own statement
    # (messages/store): while suspended the user signs in and reads but cannot send;
    # while shadow-banned their sends look delivered to them and reach nobody else.
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    shadow_banned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The host's groups of a provisioned user (issue 22), sorted, each once; None for none.
    # The messaging policy (policy/rules.py) decides by them who may message whom.
    groups: Mapped[list[str] | None] = mapped_column(JSON)

    # A unique index, not a constraint: SQLite adds one without rebuilding the table.
    __table_args__ = (Index(None, "external_id", unique=True),)


class AccessToken(Base):
    """A bearer token, stored only as its SHA-256: a leaked table grants nothing."""

    __tablename__ = "access_token"

    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("user_account.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The token's public name (`tok_` and 24 hex digits): what the server API lists and
    # revokes it by, never the token or its hash.
    token_id: Mapped[str] = mapped_column(String(32), unique=True)
    # Space-separated: `read` lists, reads and streams; `write` also sends, marks, deletes
    # and edits the profile. Sign-in tokens have both; a host may mint `read` alone.
    scopes: Mapped[str] = mapped_column(String(32), server_default=FULL_SCOPES)
    # The host's note about a minted token ("web", "support widget"); None for sign-ins.
    label: Mapped[str | None] = mapped_column(String(100))

    # expires_at: the purge finds expired tokens without reading every live one.
    __table_args__ = (Index(None, "user_id"), Index(None, "expires_at"))


class StreamTicket(Base):
    """A single-use, short-lived credential for EventSource and WebSocket URLs, stored only
    as its SHA-256. It dies with the token it was issued for (sign-out revokes it too)."""

    __tablename__ = "stream_ticket"

    ticket_hash: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    token_hash: Mapped[bytes] = mapped_column(
        LargeBinary(32), ForeignKey("access_token.token_hash", ondelete="CASCADE")
    )
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index(None, "token_hash"), Index(None, "expires_at"))


class UsernameHold(Base):
    """An erased account's username, refused to registration until `held_until`
    (MAILSLOT_ERASED_USERNAME_HOLD_DAYS; 409 username_held), so no one else takes the
    name while the people who wrote to it may still write. The one piece of the account
    kept after its erasure, for the hold alone: the purge deletes the row once it ends."""

    __tablename__ = "username_hold"

    username_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    held_until: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index(None, "held_until"),)
