from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.legal_hold_put import LegalHoldPut
from ...models.legal_hold_read import LegalHoldRead
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    external_id: str,
    *,
    body: LegalHoldPut | None | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/server/users/{external_id}/hold".format(
            external_id=quote(str(external_id), safe=""),
        ),
    }

    if isinstance(body, LegalHoldPut):
        _kwargs["json"] = body.to_dict()
    else:
        _kwargs["json"] = body

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> LegalHoldRead | Problem | None:
    if response.status_code == 200:
        response_200 = LegalHoldRead.from_dict(response.json())

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
) -> Response[LegalHoldRead | Problem]:
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
    body: LegalHoldPut | None | Unset = UNSET,
) -> Response[LegalHoldRead | Problem]:
    """Put Server User Hold

     Put the user on legal hold: every message they sent or received is kept, and shown,
    whatever MAILSLOT_RETENTION_DAYS says, until the hold is lifted. Putting a held user
    on hold again keeps the first `held_at` (a `note` given replaces the note).

    Args:
        external_id (str): Your own id for the user: 1 to 128 letters, digits or `_ . : @ | + =
            -`.
        body (LegalHoldPut | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[LegalHoldRead | Problem]
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
    body: LegalHoldPut | None | Unset = UNSET,
) -> LegalHoldRead | Problem | None:
    """Put Server User Hold

     Put the user on legal hold: every message they sent or received is kept, and shown,
    whatever MAILSLOT_RETENTION_DAYS says, until the hold is lifted. Putting a held user
    on hold again keeps the first `held_at` (a `note` given replaces the note).

    Args:
        external_id (str): Your own id for the user: 1 to 128 letters, digits or `_ . : @ | + =
            -`.
        body (LegalHoldPut | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        LegalHoldRead | Problem
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
    body: LegalHoldPut | None | Unset = UNSET,
) -> Response[LegalHoldRead | Problem]:
    """Put Server User Hold

     Put the user on legal hold: every message they sent or received is kept, and shown,
    whatever MAILSLOT_RETENTION_DAYS says, until the hold is lifted. Putting a held user
    on hold again keeps the first `held_at` (a `note` given replaces the note).

    Args:
        external_id (str): Your own id for the user: 1 to 128 letters, digits or `_ . : @ | + =
            -`.
        body (LegalHoldPut | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[LegalHoldRead | Problem]
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
    body: LegalHoldPut | None | Unset = UNSET,
) -> LegalHoldRead | Problem | None:
    """Put Server User Hold

     Put the user on legal hold: every message they sent or received is kept, and shown,
    whatever MAILSLOT_RETENTION_DAYS says, until the hold is lifted. Putting a held user
    on hold again keeps the first `held_at` (a `note` given replaces the note).

    Args:
        external_id (str): Your own id for the user: 1 to 128 letters, digits or `_ . : @ | + =
            -`.
        body (LegalHoldPut | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        LegalHoldRead | Problem
    """

    return (
        await asyncio_detailed(
            external_id=external_id,
            client=client,
            body=body,
        )
    ).parsed
