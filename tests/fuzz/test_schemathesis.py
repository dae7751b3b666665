"""Schemathesis against a real `mailslot serve`, on each database: every check, positive
and negative data, a bounded number of examples per operation; 0 failures allowed.

MAILSLOT_FUZZ_EXAMPLES (default 10) and MAILSLOT_FUZZ_SEED (default fixed) set the depth:
`MAILSLOT_FUZZ_EXAMPLES=1000 MAILSLOT_FUZZ_SEED=$RANDOM .venv/bin/pytest
tests/fuzz/test_schemathesis.py --db=all -s` is the deeper run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import anyio
import httpx
import pytest

from mailslot.config import Settings
from tests.support.factories import unique_name
from tests.support.servers import MailslotServer

CONFIG = Path(__file__).with_name("schemathesis.toml")
EXAMPLES = int(os.environ.get("MAILSLOT_FUZZ_EXAMPLES", "10"))
BUDGET = 300 + 6 * EXAMPLES  # seconds; about 45 s at 10 examples on two cores

pytestmark = [pytest.mark.process, pytest.mark.anyio, pytest.mark.timeout(BUDGET + 60)]
SEED = int(os.environ.get("MAILSLOT_FUZZ_SEED", "20261121"))
PASSWORD = "fuzzing password"
UNLIMITED = "1000000, 1000/s"


async def test_schemathesis_finds_nothing(
    settings: Settings, tmp_path: Path, record_property
) -> None:
    # `settings` has migrated this run's database; the fuzzing runs in a thread.
    summary = await anyio.to_thread.run_sync(fuzz, settings, tmp_path)
    record_property("schemathesis", summary)
    sys.stdout.write(f"\nschemathesis: {summary}\n")  # shown with `pytest -s`


def fuzz(settings: Settings, tmp_path: Path) -> str:
    env = {
        # Fuzzed sign-ins would spend the throttle and then the fuzzer's own sign-in:
        # tests/accounts/test_throttle.py covers the budgets.
        "MAILSLOT_RATE_LIMITS": "off",
        "MAILSLOT_LIMIT_SIGNIN_ACCOUNT": UNLIMITED,
        "MAILSLOT_LIMIT_SIGNIN_ADDRESS_ACCOUNT": UNLIMITED,
        "MAILSLOT_LIMIT_SIGNIN_ADDRESS": UNLIMITED,
    }
    if not settings.is_sqlite:
        env["MAILSLOT_DATABASE_URL"] = settings.resolved_database_url
    user = unique_name("fuzz")
    with MailslotServer(tmp_path / "data", env=env) as server:
        for name in (user, unique_name("friend")):
            created = httpx.post(
                f"{server.url}/users",
                json={"username": name, "email": f"{name}@example.com", "password": PASSWORD},
            )
            assert created.status_code == 201, created.text
        key = server.create_key("users:write", "tokens:mint", "webhooks:manage", "moderation")
        junit = tmp_path / "junit.xml"
        result = subprocess.run(
            [
                str(Path(sys.executable).with_name("st")),
                "--config-file",
                str(CONFIG),
                "--no-color",
                "run",
                f"{server.url}/openapi.json",
                "--checks",
                "all",
                "--mode",
                "all",
                "--max-examples",
                str(EXAMPLES),
                "--seed",
                str(SEED),
                "--continue-on-failure",
                "--generation-database",
                "none",
                "--report",
                "junit",
                "--report-junit-path",
                str(junit),
            ],
            env={
                **os.environ,
                "MAILSLOT_FUZZ_USER": user,
                "MAILSLOT_FUZZ_PASSWORD": PASSWORD,
                "MAILSLOT_FUZZ_KEY": key,
            },
            capture_output=True,
            text=True,
            timeout=BUDGET,
        )
        # The fuzzed policy is the database's (on PostgreSQL, the suite's): none after.
        cleared = httpx.put(
            f"{server.url}/server/policy/messaging",
            json={},
            headers={"Authorization": f"Bearer {key}"},
        )
        assert cleared.status_code == 200, cleared.text
        log = server.log()
    summary = result.stdout[-6000:]
    assert result.returncode == 0, summary
    cases = ET.parse(junit).getroot()  # noqa: S314 (schemathesis's own report)
    assert int(cases.get("tests", "0")) > 0, summary
    assert "Traceback" not in log, log[-4000:]
    return summary.split("Test cases:")[-1].strip()
