from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.block_read import BlockRead
from ...models.problem import Problem
from ...types import Response


def _get_kwargs(
    username: str,
    other: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/users/{username}/blocks/{other}".format(
            username=quote(str(username), safe=""),
            other=quote(str(other), safe=""),
        ),
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> BlockRead | Problem | None:
    if response.status_code == 200:
        response_200 = BlockRead.from_dict(response.json())

        return response_200

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[BlockRead | Problem]:
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
) -> Response[BlockRead | Problem]:
    """Put Block

     Block a user: from now on their messages do not reach you, and they are not told
    (their sent box shows the message as sent to you). What they sent before stays.
    Blocking again changes nothing. 404 `user_not_found` for a name nobody has; 422 for
    yourself, or `too_many_blocks` past 1,000.

    Args:
        username (str):
        other (str): The username to block or unblock.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BlockRead | Problem]
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
) -> BlockRead | Problem | None:
    """Put Block

     Block a user: from now on their messages do not reach you, and they are not told
    (their sent box shows the message as sent to you). What they sent before stays.
    Blocking again changes nothing. 404 `user_not_found` for a name nobody has; 422 for
    yourself, or `too_many_blocks` past 1,000.

    Args:
        username (str):
        other (str): The username to block or unblock.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BlockRead | Problem
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
) -> Response[BlockRead | Problem]:
    """Put Block

     Block a user: from now on their messages do not reach you, and they are not told
    (their sent box shows the message as sent to you). What they sent before stays.
    Blocking again changes nothing. 404 `user_not_found` for a name nobody has; 422 for
    yourself, or `too_many_blocks` past 1,000.

    Args:
        username (str):
        other (str): The username to block or unblock.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BlockRead | Problem]
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
) -> BlockRead | Problem | None:
    """Put Block

     Block a user: from now on their messages do not reach you, and they are not told
    (their sent box shows the message as sent to you). What they sent before stays.
    Blocking again changes nothing. 404 `user_not_found` for a name nobody has; 422 for
    yourself, or `too_many_blocks` past 1,000.

    Args:
        username (str):
        other (str): The username to block or unblock.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BlockRead | Problem
    """

    return (
        await asyncio_detailed(
            username=username,
            other=other,
            client=client,
        )
    ).parsed
