"""Password hashing (argon2id, off the event loop) and opaque bearer tokens."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import secrets
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from typing import TypeVar

import bcrypt
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from mailslot.accounts.throttle import SignInThrottle
from mailslot.errors import Unprocessable

# Hashes imported from seed B (`mailslot import seed-b`): bcrypt's $2a$, $2b$ and $2y$.
BCRYPT_PREFIXES = ("$2a$", "$2b$", "$2y$")
TOKEN_BYTES = 32  # 256 bits; OWASP asks for at least 64
HASHING_NICENESS = 10
T = TypeVar("T")


def _lower_priority() -> None:
    """Runs first in each hashing thread. On Linux nice() changes the calling thread only,
    so the event loop keeps its priority (elsewhere it would change the whole process)."""
    if sys.platform == "linux":
        # Never fatal: an initializer that raises would break the pool, and every sign-in.
        with suppress(OSError):
            os.nice(HASHING_NICENESS)


# One pool per process, a thread per core, at a lower CPU priority: during a storm of
# sign-ins the event loops get the cores first and the other requests keep their latency,
# while hashing still has every cycle they leave.
_hashing = ThreadPoolExecutor(
    max_workers=os.cpu_count() or 1, thread_name_prefix="argon2", initializer=_lower_priority
)


async def _in_hashing_thread(function: Callable[..., T], *args: object) -> T:
    # Cancelled while queued: the hash never runs. Cancelled while running: it finishes
    # in its thread, and the caller's throttle has already counted the attempt.
    return await asyncio.get_running_loop().run_in_executor(_hashing, function, *args)


class Passwords:
    """argon2id with explicit parameters; hashing runs in threads of its own, one per core
    at a lower priority, so a storm of sign-ins cannot starve the event loop or the other
    requests. `throttle` guards every password check (`accounts.service.authenticate`),
    whichever door. A bcrypt hash imported from seed B verifies too, once: `is_legacy`
    tells `authenticate` to replace it with argon2id at that sign-in."""

    def __init__(
        self,
        *,
        memory_kib: int,
        iterations: int,
        throttle: SignInThrottle | None = None,
        min_length: int = 8,
    ) -> None:
        self.throttle = throttle or SignInThrottle.default()
        self.min_length = min_length
        self._hasher = PasswordHasher(
            time_cost=iterations,
            memory_cost=memory_kib,
            parallelism=1,
            hash_len=32,
            salt_len=16,
            type=Type.ID,
        )
        # Unknown users are checked against this, so they cost what a wrong password costs.
        self._dummy_hash = self._hasher.hash(secrets.token_urlsafe(16))

    async def hash(self, password: str) -> str:
        return await _in_hashing_thread(self._hasher.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """Whether the password matches; a missing hash still pays for one verification."""
        return await _in_hashing_thread(self._verify, password_hash, password)

    def _verify(self, password_hash: str | None, password: str) -> bool:
        if password_hash is not None and self.is_legacy(password_hash):
            # bcrypt reads at most 72 bytes (5.0 refuses more); seed B's own library
            # (Flask-Bcrypt) cut the password there too, so the cut matches what it stored.
            secret = password.encode()[:72]
            try:
                return bcrypt.checkpw(secret, password_hash.encode())
            except ValueError:  # a malformed hash: no password matches it
                return False
        try:
            self._hasher.verify(password_hash or self._dummy_hash, password)
        except (VerificationError, InvalidHashError):
            return False
        return password_hash is not None

    def needs_rehash(self, password_hash: str) -> bool:
        return self.is_legacy(password_hash) or self._hasher.check_needs_rehash(password_hash)

    @staticmethod
    def is_legacy(password_hash: str) -> bool:
        """A hash imported from seed B (bcrypt), replaced at the user's first sign-in."""
        return password_hash.startswith(BCRYPT_PREFIXES)

    def require_policy(self, password: str, *, pointer: str = "/body/password") -> None:
        """Raises Unprocessable (422) for a new password shorter than
        MAILSLOT_PASSWORD_MIN_LENGTH (the schema itself refuses fewer than 6)."""
        if len(password) < self.min_length:
            raise Unprocessable(
                f"A password needs at least {self.min_length} characters.",
                errors=[
                    {
                        "pointer": pointer,
                        "detail": f"String should have at least {self.min_length} characters",
                    }
                ],
            )


class CredentialDigests:
    """Keyed hashes (HMAC-SHA256) of a user's credentials, kept with a started seed A
    session so each of its requests checks the password in microseconds, not argon2's
    milliseconds.

    Not weaker than argon2 where it matters: without the server's secret key a leaked
    digest cannot be brute-forced offline, and a wrong password still goes through argon2
    (and through whatever sign-in throttle `authenticate` applies). The stored password
    hash is part of the message, so a digest stops matching the moment the password
    changes, even if some code path forgot to drop it."""

    def __init__(self, secret_key: str) -> None:
        # A key of its own, derived from the secret: digests cannot be confused with any
        # other keyed hash mailslot may compute with the same secret.
        self._key = hmac.new(
            secret_key.encode(), b"mailslot seed A session digest v1", hashlib.sha256
        ).digest()

    def of(self, *, user_id: int, password_hash: str, password: str) -> bytes:
        message = b"\0".join((str(user_id).encode(), password_hash.encode(), password.encode()))
        return hmac.new(self._key, message, hashlib.sha256).digest()

    def matches(self, digest: bytes, *, user_id: int, password_hash: str, password: str) -> bool:
        expected = self.of(user_id=user_id, password_hash=password_hash, password=password)
        return hmac.compare_digest(digest, expected)


# Server keys (mailslot.keys) start with this and a user's token never does, so a route
# can tell which kind of credential it was sent before looking either up.
SERVER_KEY_PREFIX = "msk_"


def new_token() -> str:
    while True:  # one draw in 16.7 million starts with the prefix
        token = secrets.token_urlsafe(TOKEN_BYTES)
        if not token.startswith(SERVER_KEY_PREFIX):
            return token


def token_digest(token: str) -> bytes:
    """What is stored for a token: a fast hash is right here, as tokens carry 256 bits."""
    return hashlib.sha256(token.encode()).digest()
