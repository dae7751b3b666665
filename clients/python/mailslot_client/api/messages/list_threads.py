from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.thread_list import ThreadList
from ...types import UNSET, Response, Unset


def _get_kwargs(
    username: str,
    *,
    per_page: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
    context: None | str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["per_page"] = per_page

    json_cursor: None | str | Unset
    if isinstance(cursor, Unset):
        json_cursor = UNSET
    else:
        json_cursor = cursor
    params["cursor"] = json_cursor

    json_context: None | str | Unset
    if isinstance(context, Unset):
        json_context = UNSET
    else:
        json_context = context
    params["context"] = json_context

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/users/{username}/threads".format(
            username=quote(str(username), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | ThreadList | None:
    if response.status_code == 200:
        response_200 = ThreadList.from_dict(response.json())

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
) -> Response[Problem | ThreadList]:
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
    per_page: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
    context: None | str | Unset = UNSET,
) -> Response[Problem | ThreadList]:
    """List Threads

     Your conversations: each thread once (received or sent, not in the trash), the one
    with the newest message first, with its latest message, its participants, how many
    of its messages you see and how many are unread. `context` keeps the threads about
    that ref.

    Args:
        username (str):
        per_page (int | Unset):  Default: 20.
        cursor (None | str | Unset): `next_cursor` of the previous page.
        context (None | str | Unset): About this context ref.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | ThreadList]
    """

    kwargs = _get_kwargs(
        username=username,
        per_page=per_page,
        cursor=cursor,
        context=context,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    username: str,
    *,
    client: AuthenticatedClient,
    per_page: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
    context: None | str | Unset = UNSET,
) -> Problem | ThreadList | None:
    """List Threads

     Your conversations: each thread once (received or sent, not in the trash), the one
    with the newest message first, with its latest message, its participants, how many
    of its messages you see and how many are unread. `context` keeps the threads about
    that ref.

    Args:
        username (str):
        per_page (int | Unset):  Default: 20.
        cursor (None | str | Unset): `next_cursor` of the previous page.
        context (None | str | Unset): About this context ref.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | ThreadList
    """

    return sync_detailed(
        username=username,
        client=client,
        per_page=per_page,
        cursor=cursor,
        context=context,
    ).parsed


async def asyncio_detailed(
    username: str,
    *,
    client: AuthenticatedClient,
    per_page: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
    context: None | str | Unset = UNSET,
) -> Response[Problem | ThreadList]:
    """List Threads

     Your conversations: each thread once (received or sent, not in the trash), the one
    with the newest message first, with its latest message, its participants, how many
    of its messages you see and how many are unread. `context` keeps the threads about
    that ref.

    Args:
        username (str):
        per_page (int | Unset):  Default: 20.
        cursor (None | str | Unset): `next_cursor` of the previous page.
        context (None | str | Unset): About this context ref.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | ThreadList]
    """

    kwargs = _get_kwargs(
        username=username,
        per_page=per_page,
        cursor=cursor,
        context=context,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    username: str,
    *,
    client: AuthenticatedClient,
    per_page: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
    context: None | str | Unset = UNSET,
) -> Problem | ThreadList | None:
    """List Threads

     Your conversations: each thread once (received or sent, not in the trash), the one
    with the newest message first, with its latest message, its participants, how many
    of its messages you see and how many are unread. `context` keeps the threads about
    that ref.

    Args:
        username (str):
        per_page (int | Unset):  Default: 20.
        cursor (None | str | Unset): `next_cursor` of the previous page.
        context (None | str | Unset): About this context ref.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | ThreadList
    """

    return (
        await asyncio_detailed(
            username=username,
            client=client,
            per_page=per_page,
            cursor=cursor,
            context=context,
        )
    ).parsed
