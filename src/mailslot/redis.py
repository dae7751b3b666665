"""What every user of Redis shares: the errors that mean "Redis is not answering", and the
breaker that sends a caller to its local fallback for a while after one."""

from __future__ import annotations

import logging
import time

from redis.exceptions import RedisError

ERRORS: tuple[type[Exception], ...] = (RedisError, OSError)


class Fallback:
    """Down-until: after a failure Redis is not `usable` for `retry_after` seconds, and the
    caller uses what it keeps locally. The first failure of an outage is logged, as
    `message` with the error."""

    def __init__(self, log: logging.Logger, message: str, *, retry_after: float = 1.0) -> None:
        self._log = log
        self._message = message
        self.retry_after = retry_after
        self._down_until = 0.0

    @property
    def usable(self) -> bool:
        return time.monotonic() >= self._down_until

    def failed(self, exc: Exception) -> None:
        if self.usable:
            self._log.warning(self._message, exc)
        self._down_until = time.monotonic() + self.retry_after
