"""Seed A clients for tests: requests exactly as seed A's README writes them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from tests.support.factories import unique_name


@dataclass
class SeedAUser:
    __test__ = False  # not a test class

    username: str
    password: str

    @property
    def credentials(self) -> str:
        return f"username={self.username}&password={self.password}"

    def message(self, receiver: SeedAUser | str, **fields: str) -> dict[str, str]:
        """The README's message JSON, from this user."""
        name = receiver if isinstance(receiver, str) else receiver.username
        return {
            "message": "message body three",
            "receiver": name,
            "sender": self.username,
            "subject": "message subject three",
            "timestamp": "Fri, 09 Oct 2020 23:01:26 GMT",
            **fields,
        }


async def seed_a(
    client: httpx.AsyncClient, method: str, target: str, json: Any = None
) -> httpx.Response:
    """One request to `target` (`//message?...`), sent as an absolute URL: httpx reads a
    relative `//message` as a network-path reference (host `message`). Checks that the path
    went out exactly as written."""
    base = str(client.base_url).rstrip("/")
    response = await client.request(method, base + target, json=json)
    assert response.request.url.raw_path.split(b"?")[0] == target.split("?")[0].encode()
    return response


async def make_seed_a_user(client: httpx.AsyncClient, *, login: bool = True) -> SeedAUser:
    user = SeedAUser(unique_name("user"), f"pw-{uuid.uuid4().hex[:16]}")
    signed_up = await seed_a(client, "POST", f"//signup?{user.credentials}")
    assert signed_up.status_code == 201, signed_up.text
    if login:
        logged_in = await seed_a(client, "POST", f"//login?{user.credentials}")
        assert logged_in.status_code == 200, logged_in.text
    return user


async def native_headers(client: httpx.AsyncClient, user: SeedAUser) -> dict[str, str]:
    """A bearer token for a seed A user: the same account on the native API."""
    response = await client.post(f"/users/{user.username}/token", json={"password": user.password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
