from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.delete_message_permanent_type_1 import DeleteMessagePermanentType1
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    username: str,
    message_id: int,
    *,
    permanent: bool | DeleteMessagePermanentType1 | Unset = False,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_permanent: bool | str | Unset
    if isinstance(permanent, Unset):
        json_permanent = UNSET
    elif isinstance(permanent, str):
        json_permanent = permanent
    else:
        json_permanent = permanent
    params["permanent"] = json_permanent

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "delete",
        "url": "/users/{username}/messages/{message_id}".format(
            username=quote(str(username), safe=""),
            message_id=quote(str(message_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Any | Problem | None:
    if response.status_code == 204:
        response_204 = cast(Any, None)
        return response_204

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
    message_id: int,
    *,
    client: AuthenticatedClient,
    permanent: bool | DeleteMessagePermanentType1 | Unset = False,
) -> Response[Any | Problem]:
    """Delete Message

     Delete a message. Its sender deletes it for every receiver, for good (it leaves
    their trash too). A receiver moves it from their inbox to their trash (`box=trash`),
    from where it can be restored until purged; `permanent=true` removes their copy at once,
    from the inbox or the trash.

    Args:
        username (str):
        message_id (int):
        permanent (bool | DeleteMessagePermanentType1 | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem]
    """

    kwargs = _get_kwargs(
        username=username,
        message_id=message_id,
        permanent=permanent,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    username: str,
    message_id: int,
    *,
    client: AuthenticatedClient,
    permanent: bool | DeleteMessagePermanentType1 | Unset = False,
) -> Any | Problem | None:
    """Delete Message

     Delete a message. Its sender deletes it for every receiver, for good (it leaves
    their trash too). A receiver moves it from their inbox to their trash (`box=trash`),
    from where it can be restored until purged; `permanent=true` removes their copy at once,
    from the inbox or the trash.

    Args:
        username (str):
        message_id (int):
        permanent (bool | DeleteMessagePermanentType1 | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem
    """

    return sync_detailed(
        username=username,
        message_id=message_id,
        client=client,
        permanent=permanent,
    ).parsed


async def asyncio_detailed(
    username: str,
    message_id: int,
    *,
    client: AuthenticatedClient,
    permanent: bool | DeleteMessagePermanentType1 | Unset = False,
) -> Response[Any | Problem]:
    """Delete Message

     Delete a message. Its sender deletes it for every receiver, for good (it leaves
    their trash too). A receiver moves it from their inbox to their trash (`box=trash`),
    from where it can be restored until purged; `permanent=true` removes their copy at once,
    from the inbox or the trash.

    Args:
        username (str):
        message_id (int):
        permanent (bool | DeleteMessagePermanentType1 | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem]
    """

    kwargs = _get_kwargs(
        username=username,
        message_id=message_id,
        permanent=permanent,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    username: str,
    message_id: int,
    *,
    client: AuthenticatedClient,
    permanent: bool | DeleteMessagePermanentType1 | Unset = False,
) -> Any | Problem | None:
    """Delete Message

     Delete a message. Its sender deletes it for every receiver, for good (it leaves
    their trash too). A receiver moves it from their inbox to their trash (`box=trash`),
    from where it can be restored until purged; `permanent=true` removes their copy at once,
    from the inbox or the trash.

    Args:
        username (str):
        message_id (int):
        permanent (bool | DeleteMessagePermanentType1 | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem
    """

    return (
        await asyncio_detailed(
            username=username,
            message_id=message_id,
            client=client,
            permanent=permanent,
        )
    ).parsed
