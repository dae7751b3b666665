"""The policy scenario: the send scenario again under a messaging policy of 20 rules
(issue 22: at most 10% slower than `send`, run before any policy existed). The seeded
users have no group, so the policy is written to let them through its last allow pair,
after every deny pair and every other allow pair was tried: each send evaluates all 20.
No `new_accounts` rule: the seeded accounts are new, and that rule reads the database by
design (docs/safety.md, "Cost")."""

from __future__ import annotations

from typing import Any

import httpx

from bench.harness import Request, Result, run_wrk

POLICY: dict[str, Any] = {
    "deny": [{"from": f"g{n}", "to": f"g{n + 20}"} for n in range(7)],  # 7 rules
    "allow": [
        *({"from": f"g{n}", "to": f"g{n + 40}"} for n in range(9)),
        {"from": "@ungrouped", "to": "@ungrouped"},
    ],  # 10 rules
    "reply_only": ["g60"],  # 1 rule
    "initiators": ["g61", "@ungrouped"],  # 2 rules
}


def measure(
    base: str,
    key: str,
    requests: list[Request],
    *,
    server_pid: int,
    connections: int,
    duration: int,
    warmup: int,
) -> Result:
    headers = {"Authorization": f"Bearer {key}"}
    put = httpx.put(f"{base}/server/policy/messaging", json=POLICY, headers=headers, timeout=10)
    put.raise_for_status()
    assert put.json()["rules"] == 20, put.text
    try:
        return run_wrk(
            "send-policy",
            base,
            requests,
            connections=connections,
            duration=duration,
            server_pid=server_pid,
            warmup=warmup,
        )
    finally:
        httpx.put(f"{base}/server/policy/messaging", json={}, headers=headers, timeout=10)
