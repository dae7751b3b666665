from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.sanctions_read import SanctionsRead
from ...models.sanctions_update import SanctionsUpdate
from ...types import Response


def _get_kwargs(
    external_id: str,
    *,
    body: SanctionsUpdate,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/server/users/{external_id}/sanctions".format(
            external_id=quote(str(external_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | SanctionsRead | None:
    if response.status_code == 200:
        response_200 = SanctionsRead.from_dict(response.json())

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
) -> Response[Problem | SanctionsRead]:
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
    body: SanctionsUpdate,
) -> Response[Problem | SanctionsRead]:
    """Put Server User Sanctions

     Put sanctions on (`true`) or lift them (`false`), with a reason the history keeps;
    fields left out stay as they are. `suspended`: the user signs in and reads, and every
    send is a 403 `account_suspended`. `shadow_banned`: their sends look delivered to
    them and reach nobody (the server API's send says `withheld`). `deactivated`: as
    POST .../deactivate. Each takes effect at once on every instance, and is reversible.

    Args:
        external_id (str): Your own id for the user: 1 to 128 letters, digits or `_ . : @ | + =
            -`.
        body (SanctionsUpdate): What to put on (`true`) or lift (`false`); a field left out stays
            as it is.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SanctionsRead]
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
    body: SanctionsUpdate,
) -> Problem | SanctionsRead | None:
    """Put Server User Sanctions

     Put sanctions on (`true`) or lift them (`false`), with a reason the history keeps;
    fields left out stay as they are. `suspended`: the user signs in and reads, and every
    send is a 403 `account_suspended`. `shadow_banned`: their sends look delivered to
    them and reach nobody (the server API's send says `withheld`). `deactivated`: as
    POST .../deactivate. Each takes effect at once on every instance, and is reversible.

    Args:
        external_id (str): Your own id for the user: 1 to 128 letters, digits or `_ . : @ | + =
            -`.
        body (SanctionsUpdate): What to put on (`true`) or lift (`false`); a field left out stays
            as it is.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SanctionsRead
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
    body: SanctionsUpdate,
) -> Response[Problem | SanctionsRead]:
    """Put Server User Sanctions

     Put sanctions on (`true`) or lift them (`false`), with a reason the history keeps;
    fields left out stay as they are. `suspended`: the user signs in and reads, and every
    send is a 403 `account_suspended`. `shadow_banned`: their sends look delivered to
    them and reach nobody (the server API's send says `withheld`). `deactivated`: as
    POST .../deactivate. Each takes effect at once on every instance, and is reversible.

    Args:
        external_id (str): Your own id for the user: 1 to 128 letters, digits or `_ . : @ | + =
            -`.
        body (SanctionsUpdate): What to put on (`true`) or lift (`false`); a field left out stays
            as it is.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SanctionsRead]
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
    body: SanctionsUpdate,
) -> Problem | SanctionsRead | None:
    """Put Server User Sanctions

     Put sanctions on (`true`) or lift them (`false`), with a reason the history keeps;
    fields left out stay as they are. `suspended`: the user signs in and reads, and every
    send is a 403 `account_suspended`. `shadow_banned`: their sends look delivered to
    them and reach nobody (the server API's send says `withheld`). `deactivated`: as
    POST .../deactivate. Each takes effect at once on every instance, and is reversible.

    Args:
        external_id (str): Your own id for the user: 1 to 128 letters, digits or `_ . : @ | + =
            -`.
        body (SanctionsUpdate): What to put on (`true`) or lift (`false`); a field left out stays
            as it is.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SanctionsRead
    """

    return (
        await asyncio_detailed(
            external_id=external_id,
            client=client,
            body=body,
        )
    ).parsed
