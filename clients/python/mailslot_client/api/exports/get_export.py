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
    export_id: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/users/{username}/exports/{export_id}".format(
            username=quote(str(username), safe=""),
            export_id=quote(str(export_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ExportRead | Problem | None:
    if response.status_code == 200:
        response_200 = ExportRead.from_dict(response.json())

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
) -> Response[ExportRead | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    username: str,
    export_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[ExportRead | Problem]:
    """Get Export

     One of your exports: `queued`, `running` (`progress`), `done` (`download_url`)
    or `failed`. 404 `export_not_found`.

    Args:
        username (str):
        export_id (str): The export's id, `exp_...`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ExportRead | Problem]
    """

    kwargs = _get_kwargs(
        username=username,
        export_id=export_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    username: str,
    export_id: str,
    *,
    client: AuthenticatedClient,
) -> ExportRead | Problem | None:
    """Get Export

     One of your exports: `queued`, `running` (`progress`), `done` (`download_url`)
    or `failed`. 404 `export_not_found`.

    Args:
        username (str):
        export_id (str): The export's id, `exp_...`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ExportRead | Problem
    """

    return sync_detailed(
        username=username,
        export_id=export_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    username: str,
    export_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[ExportRead | Problem]:
    """Get Export

     One of your exports: `queued`, `running` (`progress`), `done` (`download_url`)
    or `failed`. 404 `export_not_found`.

    Args:
        username (str):
        export_id (str): The export's id, `exp_...`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ExportRead | Problem]
    """

    kwargs = _get_kwargs(
        username=username,
        export_id=export_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    username: str,
    export_id: str,
    *,
    client: AuthenticatedClient,
) -> ExportRead | Problem | None:
    """Get Export

     One of your exports: `queued`, `running` (`progress`), `done` (`download_url`)
    or `failed`. 404 `export_not_found`.

    Args:
        username (str):
        export_id (str): The export's id, `exp_...`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ExportRead | Problem
    """

    return (
        await asyncio_detailed(
            username=username,
            export_id=export_id,
            client=client,
        )
    ).parsed
