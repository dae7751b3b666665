"""What one access-log line costs, per format: CPU time and Python calls of the line Edge
writes for a request (inside a request's context, a user acting), formatted and written
to /dev/null. CPU time, not wall-clock: repeatable on a busy machine.

    python -m bench.log_lines [--lines 50000]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import time

from mailslot import logs
from mailslot.config import Settings
from mailslot.middleware import _log_access


class _Route:
    path_format = "/users/{username}/messages"


SCOPE = {
    "type": "http",
    "method": "GET",
    "path": "/users/alice/messages",
    "client": ("203.0.113.7", 50_000),
    "route": _Route(),
    "root_path": "",
}


def measure(log_format: str, lines: int) -> tuple[float, float]:
    """Microseconds of CPU a line (the best of 5 rounds) and Python calls a line."""
    settings = Settings(log_format=log_format, log_level="info")
    logs.configure_logging(settings, serving=True, stream=open(os.devnull, "w"))  # noqa: SIM115
    context = logs.RequestContext(os.urandom(16).hex())
    context.user = 412
    token = logs.current_request.set(context)
    try:
        rounds = []
        for _ in range(5):
            started = time.process_time()
            for _ in range(lines):
                _log_access(SCOPE, "", 200, 0.0042)
            rounds.append((time.process_time() - started) / lines * 1e6)
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(100):
            _log_access(SCOPE, "", 200, 0.0042)
        profile.disable()
        calls = pstats.Stats(profile).total_calls / 100  # type: ignore[attr-defined]
    finally:
        logs.current_request.reset(token)
    return min(rounds), calls


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lines", type=int, default=50_000)
    args = parser.parse_args()
    for log_format in ("json", "text", "json", "text"):
        micros, calls = measure(log_format, args.lines)
        print(f"{log_format:5} {micros:6.1f} µs CPU a line, {calls:.0f} Python calls")


if __name__ == "__main__":
    main()
