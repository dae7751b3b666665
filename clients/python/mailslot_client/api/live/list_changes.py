from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.change_page import ChangePage
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    username: str,
    *,
    since: int | Unset = 0,
    limit: int | Unset = 100,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["since"] = since

    params["limit"] = limit

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/users/{username}/changes".format(
            username=quote(str(username), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ChangePage | Problem | None:
    if response.status_code == 200:
        response_200 = ChangePage.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

    if response.status_code == 410:
        response_410 = Problem.from_dict(response.json())

        return response_410

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


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ChangePage | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    username: str,
    *,
    client: AuthenticatedClient,
    since: int | Unset = 0,
    limit: int | Unset = 100,
) -> Response[ChangePage | Problem]:
    """List Changes

     The changes to your mailbox after `since`, oldest first: messages received and
    sent (`message.created`), read or unread (`message.updated`), deleted
    (`message.deleted`). Continue from the last `id` until it equals `latest`. A 410
    `resync_required` means the changes after `since` are no longer all kept: reload the
    mailbox, then continue from `latest`.

    Args:
        username (str):
        since (int | Unset): The last sequence number you have. Default: 0.
        limit (int | Unset):  Default: 100.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ChangePage | Problem]
    """

    kwargs = _get_kwargs(
        username=username,
        since=since,
        limit=limit,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    username: str,
    *,
    client: AuthenticatedClient,
    since: int | Unset = 0,
    limit: int | Unset = 100,
) -> ChangePage | Problem | None:
    """List Changes

     The changes to your mailbox after `since`, oldest first: messages received and
    sent (`message.created`), read or unread (`message.updated`), deleted
    (`message.deleted`). Continue from the last `id` until it equals `latest`. A 410
    `resync_required` means the changes after `since` are no longer all kept: reload the
    mailbox, then continue from `latest`.

    Args:
        username (str):
        since (int | Unset): The last sequence number you have. Default: 0.
        limit (int | Unset):  Default: 100.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ChangePage | Problem
    """

    return sync_detailed(
        username=username,
        client=client,
        since=since,
        limit=limit,
    ).parsed


async def asyncio_detailed(
    username: str,
    *,
    client: AuthenticatedClient,
    since: int | Unset = 0,
    limit: int | Unset = 100,
) -> Response[ChangePage | Problem]:
    """List Changes

     The changes to your mailbox after `since`, oldest first: messages received and
    sent (`message.created`), read or unread (`message.updated`), deleted
    (`message.deleted`). Continue from the last `id` until it equals `latest`. A 410
    `resync_required` means the changes after `since` are no longer all kept: reload the
    mailbox, then continue from `latest`.

    Args:
        username (str):
        since (int | Unset): The last sequence number you have. Default: 0.
        limit (int | Unset):  Default: 100.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ChangePage | Problem]
    """

    kwargs = _get_kwargs(
        username=username,
        since=since,
        limit=limit,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    username: str,
    *,
    client: AuthenticatedClient,
    since: int | Unset = 0,
    limit: int | Unset = 100,
) -> ChangePage | Problem | None:
    """List Changes

     The changes to your mailbox after `since`, oldest first: messages received and
    sent (`message.created`), read or unread (`message.updated`), deleted
    (`message.deleted`). Continue from the last `id` until it equals `latest`. A 410
    `resync_required` means the changes after `since` are no longer all kept: reload the
    mailbox, then continue from `latest`.

    Args:
        username (str):
        since (int | Unset): The last sequence number you have. Default: 0.
        limit (int | Unset):  Default: 100.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ChangePage | Problem
    """

    return (
        await asyncio_detailed(
            username=username,
            client=client,
            since=since,
            limit=limit,
        )
    ).parsed
