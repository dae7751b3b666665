from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...types import Response


def _get_kwargs(
    username: str,
    other: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "delete",
        "url": "/users/{username}/blocks/{other}".format(
            username=quote(str(username), safe=""),
            other=quote(str(other), safe=""),
        ),
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Any | Problem | None:
    if response.status_code == 204:
        response_204 = cast(Any, None)
        return response_204

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Any | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    username: str,
    other: str,
    *,
    client: AuthenticatedClient,
) -> Response[Any | Problem]:
    """Delete Block

     Unblock a user: their new messages reach you again (those sent while blocked never
    will: they were not delivered). Unblocking someone not blocked changes nothing.

    Args:
        username (str):
        other (str): The username to block or unblock.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem]
    """

    kwargs = _get_kwargs(
        username=username,
        other=other,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    username: str,
    other: str,
    *,
    client: AuthenticatedClient,
) -> Any | Problem | None:
    """Delete Block

     Unblock a user: their new messages reach you again (those sent while blocked never
    will: they were not delivered). Unblocking someone not blocked changes nothing.

    Args:
        username (str):
        other (str): The username to block or unblock.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem
    """

    return sync_detailed(
        username=username,
        other=other,
        client=client,
    ).parsed


async def asyncio_detailed(
    username: str,
    other: str,
    *,
    client: AuthenticatedClient,
) -> Response[Any | Problem]:
    """Delete Block

     Unblock a user: their new messages reach you again (those sent while blocked never
    will: they were not delivered). Unblocking someone not blocked changes nothing.

    Args:
        username (str):
        other (str): The username to block or unblock.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem]
    """

    kwargs = _get_kwargs(
        username=username,
        other=other,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    username: str,
    other: str,
    *,
    client: AuthenticatedClient,
) -> Any | Problem | None:
    """Delete Block

     Unblock a user: their new messages reach you again (those sent while blocked never
    will: they were not delivered). Unblocking someone not blocked changes nothing.

    Args:
        username (str):
        other (str): The username to block or unblock.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem
    """

    return (
        await asyncio_detailed(
            username=username,
            other=other,
            client=client,
        )
    ).parsed
