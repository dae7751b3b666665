from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.get_message_mark_read_type_1 import GetMessageMarkReadType1
from ...models.message_read import MessageRead
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    username: str,
    message_id: int,
    *,
    mark_read: bool | GetMessageMarkReadType1 | Unset = True,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_mark_read: bool | str | Unset
    if isinstance(mark_read, Unset):
        json_mark_read = UNSET
    elif isinstance(mark_read, str):
        json_mark_read = mark_read
    else:
        json_mark_read = mark_read
    params["mark_read"] = json_mark_read

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/users/{username}/messages/{message_id}".format(
            username=quote(str(username), safe=""),
            message_id=quote(str(message_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> MessageRead | Problem | None:
    if response.status_code == 200:
        response_200 = MessageRead.from_dict(response.json())

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


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[MessageRead | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    username: str,
    message_id: int,
    *,
    client: AuthenticatedClient,
    mark_read: bool | GetMessageMarkReadType1 | Unset = True,
) -> Response[MessageRead | Problem]:
    """Get Message

     One message. Reading a message you received marks it read, unless the token is
    read-only: its reads are peeks.

    Args:
        username (str):
        message_id (int):
        mark_read (bool | GetMessageMarkReadType1 | Unset):  Default: True.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[MessageRead | Problem]
    """

    kwargs = _get_kwargs(
        username=username,
        message_id=message_id,
        mark_read=mark_read,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    username: str,
    message_id: int,
    *,
    client: AuthenticatedClient,
    mark_read: bool | GetMessageMarkReadType1 | Unset = True,
) -> MessageRead | Problem | None:
    """Get Message

     One message. Reading a message you received marks it read, unless the token is
    read-only: its reads are peeks.

    Args:
        username (str):
        message_id (int):
        mark_read (bool | GetMessageMarkReadType1 | Unset):  Default: True.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        MessageRead | Problem
    """

    return sync_detailed(
        username=username,
        message_id=message_id,
        client=client,
        mark_read=mark_read,
    ).parsed


async def asyncio_detailed(
    username: str,
    message_id: int,
    *,
    client: AuthenticatedClient,
    mark_read: bool | GetMessageMarkReadType1 | Unset = True,
) -> Response[MessageRead | Problem]:
    """Get Message

     One message. Reading a message you received marks it read, unless the token is
    read-only: its reads are peeks.

    Args:
        username (str):
        message_id (int):
        mark_read (bool | GetMessageMarkReadType1 | Unset):  Default: True.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[MessageRead | Problem]
    """

    kwargs = _get_kwargs(
        username=username,
        message_id=message_id,
        mark_read=mark_read,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    username: str,
    message_id: int,
    *,
    client: AuthenticatedClient,
    mark_read: bool | GetMessageMarkReadType1 | Unset = True,
) -> MessageRead | Problem | None:
    """Get Message

     One message. Reading a message you received marks it read, unless the token is
    read-only: its reads are peeks.

    Args:
        username (str):
        message_id (int):
        mark_read (bool | GetMessageMarkReadType1 | Unset):  Default: True.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        MessageRead | Problem
    """

    return (
        await asyncio_detailed(
            username=username,
            message_id=message_id,
            client=client,
            mark_read=mark_read,
        )
    ).parsed
