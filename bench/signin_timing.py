"""Sign-in timing: an unknown user and a wrong password must cost the same.

Runs the app in process on a temporary SQLite database with the production argon2id
parameters (19 MiB, 2 passes) and budgets raised so the throttle never answers first,
then signs in N times as an unknown user and N times with a wrong password, interleaved.
Prints both medians and their difference (target: under 5 ms).

    .venv/bin/python -m bench.signin_timing [N]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from asgi_lifespan import LifespanManager

from mailslot.app import create_app
from mailslot.config import Settings
from mailslot.db.migrate import upgrade

UNLIMITED = "1000000, 1000/s"


async def main(samples: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            data_dir=Path(tmp),
            secret_key="bench-secret-key-0123456789abcdef",
            limit_signin_account=UNLIMITED,
            limit_signin_address_account=UNLIMITED,
            limit_signin_address=UNLIMITED,
        )
        await upgrade(settings)
        app = create_app(settings)
        async with LifespanManager(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                name = f"known{uuid.uuid4().hex[:8]}"
                created = await client.post(
                    "/users",
                    json={
                        "username": name,
                        "email": f"{name}@example.com",
                        "password": "right password",
                    },
                )
                assert created.status_code == 201, created.text
                timings: dict[str, list[float]] = {"unknown user": [], "wrong password": []}
                for i in range(samples * 2 + 10):
                    kind = "unknown user" if i % 2 else "wrong password"
                    user = f"nobody{uuid.uuid4().hex[:8]}" if i % 2 else name
                    started = time.perf_counter()
                    response = await client.post(
                        f"/users/{user}/token", json={"password": "wrong password"}
                    )
                    elapsed = (time.perf_counter() - started) * 1000
                    assert response.status_code == 401, response.text
                    if i >= 10:  # warm-up
                        timings[kind].append(elapsed)
    medians = {kind: statistics.median(values) for kind, values in timings.items()}
    for kind, values in timings.items():
        print(f"{kind:15} n={len(values)} median {medians[kind]:.2f} ms")
    difference = abs(medians["unknown user"] - medians["wrong password"])
    print(f"median difference {difference:.2f} ms (target < 5 ms)")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 200))
