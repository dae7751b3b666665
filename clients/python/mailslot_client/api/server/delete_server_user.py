from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.delete_server_user_mode_type_0 import DeleteServerUserModeType0
from ...models.erasure_read import ErasureRead
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    external_id: str,
    *,
    mode: DeleteServerUserModeType0 | None | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_mode: None | str | Unset
    if isinstance(mode, Unset):
        json_mode = UNSET
    elif isinstance(mode, str):
        json_mode = mode
    else:
        json_mode = mode
    params["mode"] = json_mode

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "delete",
        "url": "/server/users/{external_id}".format(
            external_id=quote(str(external_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErasureRead | Problem | None:
    if response.status_code == 200:
        response_200 = ErasureRead.from_dict(response.json())

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
) -> Response[ErasureRead | Problem]:
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
    mode: DeleteServerUserModeType0 | None | Unset = UNSET,
) -> Response[ErasureRead | Problem]:
    """Delete Server User

     Erase the user you know as `external_id`: as `DELETE /users/{username}` does for a
    user's own account, with the mode you choose (`mode`, else the operator's). Answers
    once the erasure has finished, with what went; the external id is free again at once
    (the username is held). 404 `user_not_found` for an unknown (or already erased)
    external id.

    Args:
        external_id (str): Your own id for the user: 1 to 128 letters, digits or `_ . : @ | + =
            -`.
        mode (DeleteServerUserModeType0 | None | Unset): `pseudonymize` or `purge-sent`; default:
            MAILSLOT_ERASURE_MODE.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErasureRead | Problem]
    """

    kwargs = _get_kwargs(
        external_id=external_id,
        mode=mode,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    external_id: str,
    *,
    client: AuthenticatedClient,
    mode: DeleteServerUserModeType0 | None | Unset = UNSET,
) -> ErasureRead | Problem | None:
    """Delete Server User

     Erase the user you know as `external_id`: as `DELETE /users/{username}` does for a
    user's own account, with the mode you choose (`mode`, else the operator's). Answers
    once the erasure has finished, with what went; the external id is free again at once
    (the username is held). 404 `user_not_found` for an unknown (or already erased)
    external id.

    Args:
        external_id (str): Your own id for the user: 1 to 128 letters, digits or `_ . : @ | + =
            -`.
        mode (DeleteServerUserModeType0 | None | Unset): `pseudonymize` or `purge-sent`; default:
            MAILSLOT_ERASURE_MODE.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErasureRead | Problem
    """

    return sync_detailed(
        external_id=external_id,
        client=client,
        mode=mode,
    ).parsed


async def asyncio_detailed(
    external_id: str,
    *,
    client: AuthenticatedClient,
    mode: DeleteServerUserModeType0 | None | Unset = UNSET,
) -> Response[ErasureRead | Problem]:
    """Delete Server User

     Erase the user you know as `external_id`: as `DELETE /users/{username}` does for a
    user's own account, with the mode you choose (`mode`, else the operator's). Answers
    once the erasure has finished, with what went; the external id is free again at once
    (the username is held). 404 `user_not_found` for an unknown (or already erased)
    external id.

    Args:
        external_id (str): Your own id for the user: 1 to 128 letters, digits or `_ . : @ | + =
            -`.
        mode (DeleteServerUserModeType0 | None | Unset): `pseudonymize` or `purge-sent`; default:
            MAILSLOT_ERASURE_MODE.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErasureRead | Problem]
    """

    kwargs = _get_kwargs(
        external_id=external_id,
        mode=mode,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    external_id: str,
    *,
    client: AuthenticatedClient,
    mode: DeleteServerUserModeType0 | None | Unset = UNSET,
) -> ErasureRead | Problem | None:
    """Delete Server User

     Erase the user you know as `external_id`: as `DELETE /users/{username}` does for a
    user's own account, with the mode you choose (`mode`, else the operator's). Answers
    once the erasure has finished, with what went; the external id is free again at once
    (the username is held). 404 `user_not_found` for an unknown (or already erased)
    external id.

    Args:
        external_id (str): Your own id for the user: 1 to 128 letters, digits or `_ . : @ | + =
            -`.
        mode (DeleteServerUserModeType0 | None | Unset): `pseudonymize` or `purge-sent`; default:
            MAILSLOT_ERASURE_MODE.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErasureRead | Problem
    """

    return (
        await asyncio_detailed(
            external_id=external_id,
            client=client,
            mode=mode,
        )
    ).parsed
