from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.seed_a_session import SeedASession
from ...types import UNSET, Response


def _get_kwargs(
    *,
    username: str,
    password: str,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["username"] = username

    params["password"] = password

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "//signup",
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | SeedASession | None:
    if response.status_code == 201:
        response_201 = SeedASession.from_dict(response.json())

        return response_201

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())

        return response_409

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = Problem.from_dict(response.json())

        return response_429

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Problem | SeedASession]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    username: str,
    password: str,
) -> Response[Problem | SeedASession]:
    """Seed A Post Signup

     Register. The account is the same on the native API; it has no email address until
        you set one with `PATCH /users/{username}`. Then start a session with `//login`.
        Registrations from one address share `POST /users`'s budget (429 with `Retry-After`).

    Also answered at the single-slash address, for clients and proxies that merge slashes.

    Args:
        username (str): 1 to 64 letters, digits, `_`, `.` or `-`; unique regardless of case.
        password (str): At least 8 characters.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SeedASession]
    """

    kwargs = _get_kwargs(
        username=username,
        password=password,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    username: str,
    password: str,
) -> Problem | SeedASession | None:
    """Seed A Post Signup

     Register. The account is the same on the native API; it has no email address until
        you set one with `PATCH /users/{username}`. Then start a session with `//login`.
        Registrations from one address share `POST /users`'s budget (429 with `Retry-After`).

    Also answered at the single-slash address, for clients and proxies that merge slashes.

    Args:
        username (str): 1 to 64 letters, digits, `_`, `.` or `-`; unique regardless of case.
        password (str): At least 8 characters.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SeedASession
    """

    return sync_detailed(
        client=client,
        username=username,
        password=password,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    username: str,
    password: str,
) -> Response[Problem | SeedASession]:
    """Seed A Post Signup

     Register. The account is the same on the native API; it has no email address until
        you set one with `PATCH /users/{username}`. Then start a session with `//login`.
        Registrations from one address share `POST /users`'s budget (429 with `Retry-After`).

    Also answered at the single-slash address, for clients and proxies that merge slashes.

    Args:
        username (str): 1 to 64 letters, digits, `_`, `.` or `-`; unique regardless of case.
        password (str): At least 8 characters.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SeedASession]
    """

    kwargs = _get_kwargs(
        username=username,
        password=password,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    username: str,
    password: str,
) -> Problem | SeedASession | None:
    """Seed A Post Signup

     Register. The account is the same on the native API; it has no email address until
        you set one with `PATCH /users/{username}`. Then start a session with `//login`.
        Registrations from one address share `POST /users`'s budget (429 with `Retry-After`).

    Also answered at the single-slash address, for clients and proxies that merge slashes.

    Args:
        username (str): 1 to 64 letters, digits, `_`, `.` or `-`; unique regardless of case.
        password (str): At least 8 characters.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SeedASession
    """

    return (
        await asyncio_detailed(
            client=client,
            username=username,
            password=password,
        )
    ).parsed
