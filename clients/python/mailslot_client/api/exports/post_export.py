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
    username: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/users/{username}/exports".format(
            username=quote(str(username), safe=""),
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
    username: str,
    *,
    client: AuthenticatedClient,
) -> Response[ExportRead | Problem]:
    """Post Export

     Start an export of your whole mailbox: a zip archive of your profile, your
    received, sent and trashed messages as JSON lines (each line as the messages API
    shows it) and as mbox files a mail client opens, with a manifest of SHA-256 sums.
    Follow it with `GET /users/{username}/exports/{export_id}`; once `done`, its
    `download_url` works without a bearer token until `expires_at`. One export per
    hour (MAILSLOT_EXPORT_INTERVAL): a 429 with `Retry-After` before then.

    Args:
        username (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ExportRead | Problem]
    """

    kwargs = _get_kwargs(
        username=username,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    username: str,
    *,
    client: AuthenticatedClient,
) -> ExportRead | Problem | None:
    """Post Export

     Start an export of your whole mailbox: a zip archive of your profile, your
    received, sent and trashed messages as JSON lines (each line as the messages API
    shows it) and as mbox files a mail client opens, with a manifest of SHA-256 sums.
    Follow it with `GET /users/{username}/exports/{export_id}`; once `done`, its
    `download_url` works without a bearer token until `expires_at`. One export per
    hour (MAILSLOT_EXPORT_INTERVAL): a 429 with `Retry-After` before then.

    Args:
        username (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ExportRead | Problem
    """

    return sync_detailed(
        username=username,
        client=client,
    ).parsed


async def asyncio_detailed(
    username: str,
    *,
    client: AuthenticatedClient,
) -> Response[ExportRead | Problem]:
    """Post Export

     Start an export of your whole mailbox: a zip archive of your profile, your
    received, sent and trashed messages as JSON lines (each line as the messages API
    shows it) and as mbox files a mail client opens, with a manifest of SHA-256 sums.
    Follow it with `GET /users/{username}/exports/{export_id}`; once `done`, its
    `download_url` works without a bearer token until `expires_at`. One export per
    hour (MAILSLOT_EXPORT_INTERVAL): a 429 with `Retry-After` before then.

    Args:
        username (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ExportRead | Problem]
    """

    kwargs = _get_kwargs(
        username=username,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    username: str,
    *,
    client: AuthenticatedClient,
) -> ExportRead | Problem | None:
    """Post Export

     Start an export of your whole mailbox: a zip archive of your profile, your
    received, sent and trashed messages as JSON lines (each line as the messages API
    shows it) and as mbox files a mail client opens, with a manifest of SHA-256 sums.
    Follow it with `GET /users/{username}/exports/{export_id}`; once `done`, its
    `download_url` works without a bearer token until `expires_at`. One export per
    hour (MAILSLOT_EXPORT_INTERVAL): a 429 with `Retry-After` before then.

    Args:
        username (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ExportRead | Problem
    """

    return (
        await asyncio_detailed(
            username=username,
            client=client,
        )
    ).parsed
