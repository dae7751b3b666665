from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.external_user_put import ExternalUserPut
from ...models.external_user_written import ExternalUserWritten
from ...models.problem import Problem
from ...types import Response


def _get_kwargs(
    external_id: str,
    *,
    body: ExternalUserPut,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/server/users/{external_id}".format(
            external_id=quote(str(external_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ExternalUserWritten | Problem | None:
    if response.status_code == 200:
        response_200 = ExternalUserWritten.from_dict(response.json())

        return response_200

    if response.status_code == 201:
        response_201 = ExternalUserWritten.from_dict(response.json())

        return response_201

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

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = Problem.from_dict(response.json())

        return response_415

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
) -> Response[ExternalUserWritten | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    external_id: str,
    *,
    client: AuthenticatedClient,
    body: ExternalUserPut,
) -> Response[ExternalUserWritten | Problem]:
    """Put Server User

     Create the user you know as `external_id` (201), or bring it up to date (200);
    `outcome` says which: `created`, `updated` or `unchanged`. The user has no password:
    they use tokens you mint (POST /server/users/{external_id}/tokens). Fields left out
    keep their value; `username` is derived from the external id when left out, and never
    changes once set. 409 for a username or email address another user has; 422 for a
    `custom` over 4096 bytes as JSON.

    Args:
        external_id (str): Your own id for the user: 1 to 128 letters, digits or `_ . : @ | + =
            -`.
        body (ExternalUserPut): A user as the host application provisions it (`accounts.people`).
            Fields left out
            keep their value on an update; `username` is set once, at creation.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ExternalUserWritten | Problem]
    """

    kwargs = _get_kwargs(
        external_id=external_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    external_id: str,
    *,
    client: AuthenticatedClient,
    body: ExternalUserPut,
) -> ExternalUserWritten | Problem | None:
    """Put Server User

     Create the user you know as `external_id` (201), or bring it up to date (200);
    `outcome` says which: `created`, `updated` or `unchanged`. The user has no password:
    they use tokens you mint (POST /server/users/{external_id}/tokens). Fields left out
    keep their value; `username` is derived from the external id when left out, and never
    changes once set. 409 for a username or email address another user has; 422 for a
    `custom` over 4096 bytes as JSON.

    Args:
        external_id (str): Your own id for the user: 1 to 128 letters, digits or `_ . : @ | + =
            -`.
        body (ExternalUserPut): A user as the host application provisions it (`accounts.people`).
            Fields left out
            keep their value on an update; `username` is set once, at creation.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ExternalUserWritten | Problem
    """

    return sync_detailed(
        external_id=external_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    external_id: str,
    *,
    client: AuthenticatedClient,
    body: ExternalUserPut,
) -> Response[ExternalUserWritten | Problem]:
    """Put Server User

     Create the user you know as `external_id` (201), or bring it up to date (200);
    `outcome` says which: `created`, `updated` or `unchanged`. The user has no password:
    they use tokens you mint (POST /server/users/{external_id}/tokens). Fields left out
    keep their value; `username` is derived from the external id when left out, and never
    changes once set. 409 for a username or email address another user has; 422 for a
    `custom` over 4096 bytes as JSON.

    Args:
        external_id (str): Your own id for the user: 1 to 128 letters, digits or `_ . : @ | + =
            -`.
        body (ExternalUserPut): A user as the host application provisions it (`accounts.people`).
            Fields left out
            keep their value on an update; `username` is set once, at creation.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ExternalUserWritten | Problem]
    """

    kwargs = _get_kwargs(
        external_id=external_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    external_id: str,
    *,
    client: AuthenticatedClient,
    body: ExternalUserPut,
) -> ExternalUserWritten | Problem | None:
    """Put Server User

     Create the user you know as `external_id` (201), or bring it up to date (200);
    `outcome` says which: `created`, `updated` or `unchanged`. The user has no password:
    they use tokens you mint (POST /server/users/{external_id}/tokens). Fields left out
    keep their value; `username` is derived from the external id when left out, and never
    changes once set. 409 for a username or email address another user has; 422 for a
    `custom` over 4096 bytes as JSON.

    Args:
        external_id (str): Your own id for the user: 1 to 128 letters, digits or `_ . : @ | + =
            -`.
        body (ExternalUserPut): A user as the host application provisions it (`accounts.people`).
            Fields left out
            keep their value on an update; `username` is set once, at creation.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ExternalUserWritten | Problem
    """

    return (
        await asyncio_detailed(
            external_id=external_id,
            client=client,
            body=body,
        )
    ).parsed
