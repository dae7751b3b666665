from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.user_read import UserRead
from ...models.user_update_type_0 import UserUpdateType0
from ...models.user_update_type_1 import UserUpdateType1
from ...types import Response


def _get_kwargs(
    username: str,
    *,
    body: Any | UserUpdateType0 | UserUpdateType1,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "patch",
        "url": "/users/{username}".format(
            username=quote(str(username), safe=""),
        ),
    }

    if isinstance(body, UserUpdateType0):
        _kwargs["json"] = body.to_dict()
    elif isinstance(body, UserUpdateType1):
        _kwargs["json"] = body.to_dict()
    else:
        _kwargs["json"] = body

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | UserRead | None:
    if response.status_code == 200:
        response_200 = UserRead.from_dict(response.json())

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Problem | UserRead]:
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
    body: Any | UserUpdateType0 | UserUpdateType1,
) -> Response[Problem | UserRead]:
    """Patch User

     Set your display name (`null` removes it), your email address (accounts made
    through seed A's `//signup` have none) and/or change your password.
    `current_password` is required for the email address and the password, not for the
    display name alone. A new password ends your seed A session and signs out every other
    bearer token; the token of this request stays valid.

    Args:
        username (str):
        body (Any | UserUpdateType0 | UserUpdateType1): Set your display name (null removes it),
            your email address and/or your password.
            The current password is needed to change the email address or the password, not the
            display name alone.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | UserRead]
    """

    kwargs = _get_kwargs(
        username=username,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    username: str,
    *,
    client: AuthenticatedClient,
    body: Any | UserUpdateType0 | UserUpdateType1,
) -> Problem | UserRead | None:
    """Patch User

     Set your display name (`null` removes it), your email address (accounts made
    through seed A's `//signup` have none) and/or change your password.
    `current_password` is required for the email address and the password, not for the
    display name alone. A new password ends your seed A session and signs out every other
    bearer token; the token of this request stays valid.

    Args:
        username (str):
        body (Any | UserUpdateType0 | UserUpdateType1): Set your display name (null removes it),
            your email address and/or your password.
            The current password is needed to change the email address or the password, not the
            display name alone.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | UserRead
    """

    return sync_detailed(
        username=username,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    username: str,
    *,
    client: AuthenticatedClient,
    body: Any | UserUpdateType0 | UserUpdateType1,
) -> Response[Problem | UserRead]:
    """Patch User

     Set your display name (`null` removes it), your email address (accounts made
    through seed A's `//signup` have none) and/or change your password.
    `current_password` is required for the email address and the password, not for the
    display name alone. A new password ends your seed A session and signs out every other
    bearer token; the token of this request stays valid.

    Args:
        username (str):
        body (Any | UserUpdateType0 | UserUpdateType1): Set your display name (null removes it),
            your email address and/or your password.
            The current password is needed to change the email address or the password, not the
            display name alone.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | UserRead]
    """

    kwargs = _get_kwargs(
        username=username,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    username: str,
    *,
    client: AuthenticatedClient,
    body: Any | UserUpdateType0 | UserUpdateType1,
) -> Problem | UserRead | None:
    """Patch User

     Set your display name (`null` removes it), your email address (accounts made
    through seed A's `//signup` have none) and/or change your password.
    `current_password` is required for the email address and the password, not for the
    display name alone. A new password ends your seed A session and signs out every other
    bearer token; the token of this request stays valid.

    Args:
        username (str):
        body (Any | UserUpdateType0 | UserUpdateType1): Set your display name (null removes it),
            your email address and/or your password.
            The current password is needed to change the email address or the password, not the
            display name alone.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | UserRead
    """

    return (
        await asyncio_detailed(
            username=username,
            client=client,
            body=body,
        )
    ).parsed
