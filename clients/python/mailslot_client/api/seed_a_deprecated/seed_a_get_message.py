from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.seed_a_message import SeedAMessage
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    request: None | str | Unset = UNSET,
    username: None | str | Unset = UNSET,
    password: None | str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_request: None | str | Unset
    if isinstance(request, Unset):
        json_request = UNSET
    else:
        json_request = request
    params["request"] = json_request

    json_username: None | str | Unset
    if isinstance(username, Unset):
        json_username = UNSET
    else:
        json_username = username
    params["username"] = json_username

    json_password: None | str | Unset
    if isinstance(password, Unset):
        json_password = UNSET
    else:
        json_password = password
    params["password"] = json_password

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "//message",
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | SeedAMessage | None:
    if response.status_code == 200:
        response_200 = SeedAMessage.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

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
) -> Response[Problem | SeedAMessage]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    request: None | str | Unset = UNSET,
    username: None | str | Unset = UNSET,
    password: None | str | Unset = UNSET,
) -> Response[Problem | SeedAMessage]:
    """Seed A Get Message

     `request=read`: your oldest unread received message, now marked read. When every
        message is read, 404 `no_unread_message`.

    Also answered at the single-slash address, for clients and proxies that merge slashes.

    Args:
        request (None | str | Unset): What to do; the operation says which values.
        username (None | str | Unset): Your username.
        password (None | str | Unset): Your password.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SeedAMessage]
    """

    kwargs = _get_kwargs(
        request=request,
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
    request: None | str | Unset = UNSET,
    username: None | str | Unset = UNSET,
    password: None | str | Unset = UNSET,
) -> Problem | SeedAMessage | None:
    """Seed A Get Message

     `request=read`: your oldest unread received message, now marked read. When every
        message is read, 404 `no_unread_message`.

    Also answered at the single-slash address, for clients and proxies that merge slashes.

    Args:
        request (None | str | Unset): What to do; the operation says which values.
        username (None | str | Unset): Your username.
        password (None | str | Unset): Your password.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SeedAMessage
    """

    return sync_detailed(
        client=client,
        request=request,
        username=username,
        password=password,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    request: None | str | Unset = UNSET,
    username: None | str | Unset = UNSET,
    password: None | str | Unset = UNSET,
) -> Response[Problem | SeedAMessage]:
    """Seed A Get Message

     `request=read`: your oldest unread received message, now marked read. When every
        message is read, 404 `no_unread_message`.

    Also answered at the single-slash address, for clients and proxies that merge slashes.

    Args:
        request (None | str | Unset): What to do; the operation says which values.
        username (None | str | Unset): Your username.
        password (None | str | Unset): Your password.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SeedAMessage]
    """

    kwargs = _get_kwargs(
        request=request,
        username=username,
        password=password,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    request: None | str | Unset = UNSET,
    username: None | str | Unset = UNSET,
    password: None | str | Unset = UNSET,
) -> Problem | SeedAMessage | None:
    """Seed A Get Message

     `request=read`: your oldest unread received message, now marked read. When every
        message is read, 404 `no_unread_message`.

    Also answered at the single-slash address, for clients and proxies that merge slashes.

    Args:
        request (None | str | Unset): What to do; the operation says which values.
        username (None | str | Unset): Your username.
        password (None | str | Unset): Your password.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SeedAMessage
    """

    return (
        await asyncio_detailed(
            client=client,
            request=request,
            username=username,
            password=password,
        )
    ).parsed
