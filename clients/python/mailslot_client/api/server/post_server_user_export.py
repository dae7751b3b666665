from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.export_read import ExportRead
from ...models.problem import Problem
from ...types import Response


def _get_kwargs(
    external_id: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/server/users/{external_id}/exports".format(
            external_id=quote(str(external_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ExportRead | Problem | None:
    if response.status_code == 202:
        response_202 = ExportRead.from_dict(response.json())

        return response_202

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
) -> Response[ExportRead | Problem]:
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
) -> Response[ExportRead | Problem]:
    """Post Server User Export

     Start an export of the user's whole mailbox: the archive the user's own export
    makes (`POST /users/{username}/exports`), without its hourly limit and not listed to
    the user. Recorded in the audit trail (`GET /server/audit`) as a read of the
    mailbox. Follow it with `GET /server/users/{external_id}/exports/{export_id}`; its
    `download_url` needs no key. 404 `user_not_found`.

    Args:
        external_id (str): The host application's own id for the user: 1 to 128 letters, digits or
            `_ . : @ | + = -`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ExportRead | Problem]
    """

    kwargs = _get_kwargs(
        external_id=external_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    external_id: str,
    *,
    client: AuthenticatedClient,
) -> ExportRead | Problem | None:
    """Post Server User Export

     Start an export of the user's whole mailbox: the archive the user's own export
    makes (`POST /users/{username}/exports`), without its hourly limit and not listed to
    the user. Recorded in the audit trail (`GET /server/audit`) as a read of the
    mailbox. Follow it with `GET /server/users/{external_id}/exports/{export_id}`; its
    `download_url` needs no key. 404 `user_not_found`.

    Args:
        external_id (str): The host application's own id for the user: 1 to 128 letters, digits or
            `_ . : @ | + = -`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ExportRead | Problem
    """

    return sync_detailed(
        external_id=external_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    external_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[ExportRead | Problem]:
    """Post Server User Export

     Start an export of the user's whole mailbox: the archive the user's own export
    makes (`POST /users/{username}/exports`), without its hourly limit and not listed to
    the user. Recorded in the audit trail (`GET /server/audit`) as a read of the
    mailbox. Follow it with `GET /server/users/{external_id}/exports/{export_id}`; its
    `download_url` needs no key. 404 `user_not_found`.

    Args:
        external_id (str): The host application's own id for the user: 1 to 128 letters, digits or
            `_ . : @ | + = -`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ExportRead | Problem]
    """

    kwargs = _get_kwargs(
        external_id=external_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    external_id: str,
    *,
    client: AuthenticatedClient,
) -> ExportRead | Problem | None:
    """Post Server User Export

     Start an export of the user's whole mailbox: the archive the user's own export
    makes (`POST /users/{username}/exports`), without its hourly limit and not listed to
    the user. Recorded in the audit trail (`GET /server/audit`) as a read of the
    mailbox. Follow it with `GET /server/users/{external_id}/exports/{export_id}`; its
    `download_url` needs no key. 404 `user_not_found`.

    Args:
        external_id (str): The host application's own id for the user: 1 to 128 letters, digits or
            `_ . : @ | + = -`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ExportRead | Problem
    """

    return (
        await asyncio_detailed(
            external_id=external_id,
            client=client,
        )
    ).parsed
