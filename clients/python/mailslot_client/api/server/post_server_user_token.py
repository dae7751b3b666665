from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.minted_token_read import MintedTokenRead
from ...models.problem import Problem
from ...models.token_mint import TokenMint
from ...types import Response


def _get_kwargs(
    external_id: str,
    *,
    body: TokenMint,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/server/users/{external_id}/tokens".format(
            external_id=quote(str(external_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> MintedTokenRead | Problem | None:
    if response.status_code == 201:
        response_201 = MintedTokenRead.from_dict(response.json())

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
) -> Response[MintedTokenRead | Problem]:
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
    body: TokenMint,
) -> Response[MintedTokenRead | Problem]:
    """Post Server User Token

     Mint a bearer token for the user, for your front end to use on the user's routes
    (and for a stream ticket: POST /users/{username}/stream-tickets). It lives
    `ttl_seconds` (one hour unless given, 30 days at most); `["read"]` as `scopes` makes
    a read-only token, refused on every change with 403 `read_only_token`. The token is
    shown this once; `token_id` names it to list and revoke. 403 `account_deactivated`
    for a deactivated user.

    Args:
        external_id (str): Your own id for the user: 1 to 128 letters, digits or `_ . : @ | + =
            -`.
        body (TokenMint):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[MintedTokenRead | Problem]
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
    body: TokenMint,
) -> MintedTokenRead | Problem | None:
    """Post Server User Token

     Mint a bearer token for the user, for your front end to use on the user's routes
    (and for a stream ticket: POST /users/{username}/stream-tickets). It lives
    `ttl_seconds` (one hour unless given, 30 days at most); `["read"]` as `scopes` makes
    a read-only token, refused on every change with 403 `read_only_token`. The token is
    shown this once; `token_id` names it to list and revoke. 403 `account_deactivated`
    for a deactivated user.

    Args:
        external_id (str): Your own id for the user: 1 to 128 letters, digits or `_ . : @ | + =
            -`.
        body (TokenMint):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        MintedTokenRead | Problem
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
    body: TokenMint,
) -> Response[MintedTokenRead | Problem]:
    """Post Server User Token

     Mint a bearer token for the user, for your front end to use on the user's routes
    (and for a stream ticket: POST /users/{username}/stream-tickets). It lives
    `ttl_seconds` (one hour unless given, 30 days at most); `["read"]` as `scopes` makes
    a read-only token, refused on every change with 403 `read_only_token`. The token is
    shown this once; `token_id` names it to list and revoke. 403 `account_deactivated`
    for a deactivated user.

    Args:
        external_id (str): Your own id for the user: 1 to 128 letters, digits or `_ . : @ | + =
            -`.
        body (TokenMint):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[MintedTokenRead | Problem]
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
    body: TokenMint,
) -> MintedTokenRead | Problem | None:
    """Post Server User Token

     Mint a bearer token for the user, for your front end to use on the user's routes
    (and for a stream ticket: POST /users/{username}/stream-tickets). It lives
    `ttl_seconds` (one hour unless given, 30 days at most); `["read"]` as `scopes` makes
    a read-only token, refused on every change with 403 `read_only_token`. The token is
    shown this once; `token_id` names it to list and revoke. 403 `account_deactivated`
    for a deactivated user.

    Args:
        external_id (str): Your own id for the user: 1 to 128 letters, digits or `_ . : @ | + =
            -`.
        body (TokenMint):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        MintedTokenRead | Problem
    """

    return (
        await asyncio_detailed(
            external_id=external_id,
            client=client,
            body=body,
        )
    ).parsed
