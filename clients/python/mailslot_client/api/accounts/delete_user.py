from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.account_delete import AccountDelete
from ...models.problem import Problem
from ...types import Response


def _get_kwargs(
    username: str,
    *,
    body: AccountDelete,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "delete",
        "url": "/users/{username}".format(
            username=quote(str(username), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Any | Problem | None:
    if response.status_code == 204:
        response_204 = cast(Any, None)
        return response_204

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Any | Problem]:
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
    body: AccountDelete,
) -> Response[Any | Problem]:
    """Delete User

     Delete your account, for good, confirmed with your current password (403
    `wrong_password` otherwise; it counts as a sign-in attempt). Every token of yours stops
    working at once, on every instance; your profile, your inbox, your trash and your
    change log are deleted. What you sent stays with its receivers, shown as from a name
    like `deleted-user-3f9a…`, unless the operator chose to remove it too
    (`MAILSLOT_ERASURE_MODE=purge-sent`). Your username is refused to registration for a
    while (`MAILSLOT_ERASED_USERNAME_HOLD_DAYS`). Users provisioned by a host application
    have no password: the host erases them (`DELETE /server/users/{external_id}`).

    Args:
        username (str):
        body (AccountDelete):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem]
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
    body: AccountDelete,
) -> Any | Problem | None:
    """Delete User

     Delete your account, for good, confirmed with your current password (403
    `wrong_password` otherwise; it counts as a sign-in attempt). Every token of yours stops
    working at once, on every instance; your profile, your inbox, your trash and your
    change log are deleted. What you sent stays with its receivers, shown as from a name
    like `deleted-user-3f9a…`, unless the operator chose to remove it too
    (`MAILSLOT_ERASURE_MODE=purge-sent`). Your username is refused to registration for a
    while (`MAILSLOT_ERASED_USERNAME_HOLD_DAYS`). Users provisioned by a host application
    have no password: the host erases them (`DELETE /server/users/{external_id}`).

    Args:
        username (str):
        body (AccountDelete):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem
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
    body: AccountDelete,
) -> Response[Any | Problem]:
    """Delete User

     Delete your account, for good, confirmed with your current password (403
    `wrong_password` otherwise; it counts as a sign-in attempt). Every token of yours stops
    working at once, on every instance; your profile, your inbox, your trash and your
    change log are deleted. What you sent stays with its receivers, shown as from a name
    like `deleted-user-3f9a…`, unless the operator chose to remove it too
    (`MAILSLOT_ERASURE_MODE=purge-sent`). Your username is refused to registration for a
    while (`MAILSLOT_ERASED_USERNAME_HOLD_DAYS`). Users provisioned by a host application
    have no password: the host erases them (`DELETE /server/users/{external_id}`).

    Args:
        username (str):
        body (AccountDelete):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem]
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
    body: AccountDelete,
) -> Any | Problem | None:
    """Delete User

     Delete your account, for good, confirmed with your current password (403
    `wrong_password` otherwise; it counts as a sign-in attempt). Every token of yours stops
    working at once, on every instance; your profile, your inbox, your trash and your
    change log are deleted. What you sent stays with its receivers, shown as from a name
    like `deleted-user-3f9a…`, unless the operator chose to remove it too
    (`MAILSLOT_ERASURE_MODE=purge-sent`). Your username is refused to registration for a
    while (`MAILSLOT_ERASED_USERNAME_HOLD_DAYS`). Users provisioned by a host application
    have no password: the host erases them (`DELETE /server/users/{external_id}`).

    Args:
        username (str):
        body (AccountDelete):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem
    """

    return (
        await asyncio_detailed(
            username=username,
            client=client,
            body=body,
        )
    ).parsed
