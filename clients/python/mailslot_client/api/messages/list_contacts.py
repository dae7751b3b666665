from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.contact_list import ContactList
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    username: str,
    *,
    prefix: str | Unset = "",
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["prefix"] = prefix

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/users/{username}/contacts".format(
            username=quote(str(username), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ContactList | Problem | None:
    if response.status_code == 200:
        response_200 = ContactList.from_dict(response.json())

        return response_200

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
) -> Response[ContactList | Problem]:
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
    prefix: str | Unset = "",
) -> Response[ContactList | Problem]:
    """List Contacts

     People you received mail from or sent mail to lately (among your newest 1000
    messages of each kind), the most recent first, up to 20: what a recipient field
    offers as you type.

    Args:
        username (str):
        prefix (str | Unset): Keep those whose username, or a word of whose display name, begins
            with this (regardless of case). Default: ''.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ContactList | Problem]
    """

    kwargs = _get_kwargs(
        username=username,
        prefix=prefix,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    username: str,
    *,
    client: AuthenticatedClient,
    prefix: str | Unset = "",
) -> ContactList | Problem | None:
    """List Contacts

     People you received mail from or sent mail to lately (among your newest 1000
    messages of each kind), the most recent first, up to 20: what a recipient field
    offers as you type.

    Args:
        username (str):
        prefix (str | Unset): Keep those whose username, or a word of whose display name, begins
            with this (regardless of case). Default: ''.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ContactList | Problem
    """

    return sync_detailed(
        username=username,
        client=client,
        prefix=prefix,
    ).parsed


async def asyncio_detailed(
    username: str,
    *,
    client: AuthenticatedClient,
    prefix: str | Unset = "",
) -> Response[ContactList | Problem]:
    """List Contacts

     People you received mail from or sent mail to lately (among your newest 1000
    messages of each kind), the most recent first, up to 20: what a recipient field
    offers as you type.

    Args:
        username (str):
        prefix (str | Unset): Keep those whose username, or a word of whose display name, begins
            with this (regardless of case). Default: ''.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ContactList | Problem]
    """

    kwargs = _get_kwargs(
        username=username,
        prefix=prefix,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    username: str,
    *,
    client: AuthenticatedClient,
    prefix: str | Unset = "",
) -> ContactList | Problem | None:
    """List Contacts

     People you received mail from or sent mail to lately (among your newest 1000
    messages of each kind), the most recent first, up to 20: what a recipient field
    offers as you type.

    Args:
        username (str):
        prefix (str | Unset): Keep those whose username, or a word of whose display name, begins
            with this (regardless of case). Default: ''.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ContactList | Problem
    """

    return (
        await asyncio_detailed(
            username=username,
            client=client,
            prefix=prefix,
        )
    ).parsed
