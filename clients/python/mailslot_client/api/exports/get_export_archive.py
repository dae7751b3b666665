from http import HTTPStatus
from io import BytesIO
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...types import UNSET, File, Response


def _get_kwargs(
    export_id: str,
    *,
    expires: int,
    signature: str,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["expires"] = expires

    params["signature"] = signature

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/exports/{export_id}/archive".format(
            export_id=quote(str(export_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> File | Problem | None:
    if response.status_code == 200:
        response_200 = File(payload=BytesIO(response.content))

        return response_200

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

    if response.status_code == 410:
        response_410 = Problem.from_dict(response.json())

        return response_410

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[File | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    export_id: str,
    *,
    client: AuthenticatedClient | Client,
    expires: int,
    signature: str,
) -> Response[File | Problem]:
    """Get Export Archive

     Download an export's archive, with the link its export gives (`download_url`):
    no bearer token needed, so a browser can follow it. 403 `invalid_download_link` for
    an altered link; 410 `export_expired` once it has expired or the archive is gone.

    Args:
        export_id (str): The export's id, `exp_...`.
        expires (int): From the download link.
        signature (str): From the download link.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[File | Problem]
    """

    kwargs = _get_kwargs(
        export_id=export_id,
        expires=expires,
        signature=signature,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    export_id: str,
    *,
    client: AuthenticatedClient | Client,
    expires: int,
    signature: str,
) -> File | Problem | None:
    """Get Export Archive

     Download an export's archive, with the link its export gives (`download_url`):
    no bearer token needed, so a browser can follow it. 403 `invalid_download_link` for
    an altered link; 410 `export_expired` once it has expired or the archive is gone.

    Args:
        export_id (str): The export's id, `exp_...`.
        expires (int): From the download link.
        signature (str): From the download link.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        File | Problem
    """

    return sync_detailed(
        export_id=export_id,
        client=client,
        expires=expires,
        signature=signature,
    ).parsed


async def asyncio_detailed(
    export_id: str,
    *,
    client: AuthenticatedClient | Client,
    expires: int,
    signature: str,
) -> Response[File | Problem]:
    """Get Export Archive

     Download an export's archive, with the link its export gives (`download_url`):
    no bearer token needed, so a browser can follow it. 403 `invalid_download_link` for
    an altered link; 410 `export_expired` once it has expired or the archive is gone.

    Args:
        export_id (str): The export's id, `exp_...`.
        expires (int): From the download link.
        signature (str): From the download link.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[File | Problem]
    """

    kwargs = _get_kwargs(
        export_id=export_id,
        expires=expires,
        signature=signature,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    export_id: str,
    *,
    client: AuthenticatedClient | Client,
    expires: int,
    signature: str,
) -> File | Problem | None:
    """Get Export Archive

     Download an export's archive, with the link its export gives (`download_url`):
    no bearer token needed, so a browser can follow it. 403 `invalid_download_link` for
    an altered link; 410 `export_expired` once it has expired or the archive is gone.

    Args:
        export_id (str): The export's id, `exp_...`.
        expires (int): From the download link.
        signature (str): From the download link.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        File | Problem
    """

    return (
        await asyncio_detailed(
            export_id=export_id,
            client=client,
            expires=expires,
            signature=signature,
        )
    ).parsed
