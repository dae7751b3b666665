"""MAILSLOT_PASSWORD_MIN_LENGTH: what registration and a password change accept, and what
the OpenAPI document says."""

from __future__ import annotations

import pytest

from tests.compat.conftest import AppClient
from tests.compat.seed_a import seed_a as seed_a_request

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]


@pytest.mark.parametrize("minimum", [6, 10])
async def test_new_passwords_follow_the_setting_at_every_door(
    app_client: AppClient, minimum: int, dialect
) -> None:
    short, enough = "p" * (minimum - 1), "p" * minimum
    async with app_client(password_min_length=minimum) as client:
        spec = (await client.get("/openapi.json")).json()
        created = spec["components"]["schemas"]["UserCreate"]["properties"]["password"]
        assert (created["minLength"], created["description"]) == (
            minimum,
            f"At least {minimum} characters.",
        )
        assert "x-password" not in str(spec)

        refused = await client.post(
            "/users", json={"username": "policy1", "email": "p1@example.com", "password": short}
        )
        assert refused.status_code == 422
        assert refused.json()["code"] == "validation_failed"
        assert refused.json()["errors"][0]["pointer"] == "/body/password"
        body = {"username": "policy1", "email": "p1@example.com", "password": enough}
        assert (await client.post("/users", json=body)).status_code == 201

        seed_a = await seed_a_request(client, "POST", f"//signup?username=policy2&password={short}")
        assert seed_a.status_code == 422
        assert seed_a.json()["errors"][0]["pointer"] == "/query/password"
        signed_up = await seed_a_request(
            client, "POST", f"//signup?username=policy2&password={enough}"
        )
        assert signed_up.status_code == 201

        token = await client.post("/users/policy1/token", json={"password": enough})
        auth = {"Authorization": f"Bearer {token.json()['access_token']}"}
        change = {"current_password": enough, "password": short}
        changed = await client.patch("/users/policy1", json=change, headers=auth)
        assert changed.status_code == 422
        # The old password still signs in: nothing changed.
        assert (
            await client.post("/users/policy1/token", json={"password": enough})
        ).status_code == 200
