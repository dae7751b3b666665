import datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.tokens_revoked import TokensRevoked
from ...types import UNSET, Response, Unset


def _get_kwargs(
    external_id: str,
    *,
    issued_before: datetime.datetime | None | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_issued_before: None | str | Unset
    if isinstance(issued_before, Unset):
        json_issued_before = UNSET
    elif isinstance(issued_before, datetime.datetime):
        json_issued_before = issued_before.isoformat()
    else:
        json_issued_before = issued_before
    params["issued_before"] = json_issued_before

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "delete",
        "url": "/server/users/{external_id}/tokens".format(
            external_id=quote(str(external_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | TokensRevoked | None:
    if response.status_code == 200:
        response_200 = TokensRevoked.from_dict(response.json())

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
) -> Response[Problem | TokensRevoked]:
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
    issued_before: datetime.datetime | None | Unset = UNSET,
) -> Response[Problem | TokensRevoked]:
    """Delete Server User Tokens

     Revoke every token of the user, minted or signed in, or only those issued before
    `issued_before`: once this answers, no instance accepts them, and their live streams
    end. Says how many live tokens went.

    Args:
        external_id (str): Your own id for the user: 1 to 128 letters, digits or `_ . : @ | + =
            -`.
        issued_before (datetime.datetime | None | Unset): Revoke only the tokens issued before
            this time (with its offset).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | TokensRevoked]
    """

    kwargs = _get_kwargs(
        external_id=external_id,
        issued_before=issued_before,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    external_id: str,
    *,
    client: AuthenticatedClient,
    issued_before: datetime.datetime | None | Unset = UNSET,
) -> Problem | TokensRevoked | None:
    """Delete Server User Tokens

     Revoke every token of the user, minted or signed in, or only those issued before
    `issued_before`: once this answers, no instance accepts them, and their live streams
    end. Says how many live tokens went.

    Args:
        external_id (str): Your own id for the user: 1 to 128 letters, digits or `_ . : @ | + =
            -`.
        issued_before (datetime.datetime | None | Unset): Revoke only the tokens issued before
            this time (with its offset).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | TokensRevoked
    """

    return sync_detailed(
        external_id=external_id,
        client=client,
        issued_before=issued_before,
    ).parsed


async def asyncio_detailed(
    external_id: str,
    *,
    client: AuthenticatedClient,
    issued_before: datetime.datetime | None | Unset = UNSET,
) -> Response[Problem | TokensRevoked]:
    """Delete Server User Tokens

     Revoke every token of the user, minted or signed in, or only those issued before
    `issued_before`: once this answers, no instance accepts them, and their live streams
    end. Says how many live tokens went.

    Args:
        external_id (str): Your own id for the user: 1 to 128 letters, digits or `_ . : @ | + =
            -`.
        issued_before (datetime.datetime | None | Unset): Revoke only the tokens issued before
            this time (with its offset).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | TokensRevoked]
    """

    kwargs = _get_kwargs(
        external_id=external_id,
        issued_before=issued_before,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    external_id: str,
    *,
    client: AuthenticatedClient,
    issued_before: datetime.datetime | None | Unset = UNSET,
) -> Problem | TokensRevoked | None:
    """Delete Server User Tokens

     Revoke every token of the user, minted or signed in, or only those issued before
    `issued_before`: once this answers, no instance accepts them, and their live streams
    end. Says how many live tokens went.

    Args:
        external_id (str): Your own id for the user: 1 to 128 letters, digits or `_ . : @ | + =
            -`.
        issued_before (datetime.datetime | None | Unset): Revoke only the tokens issued before
            this time (with its offset).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | TokensRevoked
    """

    return (
        await asyncio_detailed(
            external_id=external_id,
            client=client,
            issued_before=issued_before,
        )
    ).parsed
