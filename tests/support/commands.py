"""The `mailslot` command as an operator runs it: `.venv/bin/mailslot`, a process of its
own, with only the MAILSLOT_ settings it is given."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Protocol

# The script `make run` installs beside the interpreter: .venv/bin/mailslot.
MAILSLOT = Path(sys.executable).with_name("mailslot")


class Run(Protocol):
    def __call__(self, *args: str, code: int = 0, stdin: str | None = None) -> str: ...


class Command:
    """`mailslot ARGS` with `env`: asserts the exit status is `code` and returns standard
    output (on success) or standard error (otherwise); stdin is not a terminal. No
    timeout of its own: the test's (pytest-timeout) is the net."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("MAILSLOT_")} | env
        self.last_stdout = self.last_stderr = ""

    def __call__(self, *args: str, code: int = 0, stdin: str | None = None) -> str:
        done = subprocess.run(
            [str(MAILSLOT), *args],
            env=self.env,
            input=stdin if stdin is not None else "",
            capture_output=True,
            text=True,
            check=False,
        )
        self.last_stdout, self.last_stderr = done.stdout, done.stderr
        assert done.returncode == code, (args, done.returncode, done.stdout, done.stderr)
        return done.stdout if code == 0 else done.stderr


def mailslot_command(env: dict[str, str]) -> Command:
    return Command(env)
