from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.thread_page import ThreadPage
from ...types import UNSET, Response, Unset


def _get_kwargs(
    username: str,
    thread_id: int,
    *,
    per_page: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["per_page"] = per_page

    json_cursor: None | str | Unset
    if isinstance(cursor, Unset):
        json_cursor = UNSET
    else:
        json_cursor = cursor
    params["cursor"] = json_cursor

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/users/{username}/threads/{thread_id}".format(
            username=quote(str(username), safe=""),
            thread_id=quote(str(thread_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | ThreadPage | None:
    if response.status_code == 200:
        response_200 = ThreadPage.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

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


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Problem | ThreadPage]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    username: str,
    thread_id: int,
    *,
    client: AuthenticatedClient,
    per_page: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
) -> Response[Problem | ThreadPage]:
    """Get Thread

     What you can see of a thread, received and sent, newest first, with its unread
    count. A message's `thread_id` names its thread. 404 when you can see none of it.

    Args:
        username (str):
        thread_id (int):
        per_page (int | Unset):  Default: 20.
        cursor (None | str | Unset): `next_cursor` of the previous page.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | ThreadPage]
    """

    kwargs = _get_kwargs(
        username=username,
        thread_id=thread_id,
        per_page=per_page,
        cursor=cursor,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    username: str,
    thread_id: int,
    *,
    client: AuthenticatedClient,
    per_page: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
) -> Problem | ThreadPage | None:
    """Get Thread

     What you can see of a thread, received and sent, newest first, with its unread
    count. A message's `thread_id` names its thread. 404 when you can see none of it.

    Args:
        username (str):
        thread_id (int):
        per_page (int | Unset):  Default: 20.
        cursor (None | str | Unset): `next_cursor` of the previous page.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | ThreadPage
    """

    return sync_detailed(
        username=username,
        thread_id=thread_id,
        client=client,
        per_page=per_page,
        cursor=cursor,
    ).parsed


async def asyncio_detailed(
    username: str,
    thread_id: int,
    *,
    client: AuthenticatedClient,
    per_page: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
) -> Response[Problem | ThreadPage]:
    """Get Thread

     What you can see of a thread, received and sent, newest first, with its unread
    count. A message's `thread_id` names its thread. 404 when you can see none of it.

    Args:
        username (str):
        thread_id (int):
        per_page (int | Unset):  Default: 20.
        cursor (None | str | Unset): `next_cursor` of the previous page.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | ThreadPage]
    """

    kwargs = _get_kwargs(
        username=username,
        thread_id=thread_id,
        per_page=per_page,
        cursor=cursor,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    username: str,
    thread_id: int,
    *,
    client: AuthenticatedClient,
    per_page: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
) -> Problem | ThreadPage | None:
    """Get Thread

     What you can see of a thread, received and sent, newest first, with its unread
    count. A message's `thread_id` names its thread. 404 when you can see none of it.

    Args:
        username (str):
        thread_id (int):
        per_page (int | Unset):  Default: 20.
        cursor (None | str | Unset): `next_cursor` of the previous page.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | ThreadPage
    """

    return (
        await asyncio_detailed(
            username=username,
            thread_id=thread_id,
            client=client,
            per_page=per_page,
            cursor=cursor,
        )
    ).parsed
