from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    username: str,
    *,
    ticket: None | str | Unset = UNSET,
    since: int | None | Unset = UNSET,
    last_event_id: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(last_event_id, Unset):
        headers["Last-Event-ID"] = last_event_id

    params: dict[str, Any] = {}

    json_ticket: None | str | Unset
    if isinstance(ticket, Unset):
        json_ticket = UNSET
    else:
        json_ticket = ticket
    params["ticket"] = json_ticket

    json_since: int | None | Unset
    if isinstance(since, Unset):
        json_since = UNSET
    else:
        json_since = since
    params["since"] = json_since

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/users/{username}/events".format(
            username=quote(str(username), safe=""),
        ),
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Any | Problem | None:
    if response.status_code == 200:
        response_200 = response.json()
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

    if response.status_code == 410:
        response_410 = Problem.from_dict(response.json())

        return response_410

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
    ticket: None | str | Unset = UNSET,
    since: int | None | Unset = UNSET,
    last_event_id: None | str | Unset = UNSET,
) -> Response[Any | Problem]:
    """Get Events

     Server-Sent Events: your changes as they commit. Authenticate with the bearer
    header, or (EventSource) with `?ticket=`. Without `since` the stream starts now;
    with it, or with `Last-Event-ID`, it first replays what came after, then goes live,
    with no gap and no duplicate. You may have a limited number of streams open at once
    (20 unless the operator says otherwise; this and /ws together): one more is refused
    with 429 `too_many_streams`.

    Args:
        username (str):
        ticket (None | str | Unset): A ticket from POST /users/{username}/stream-tickets.
        since (int | None | Unset): Replay the changes after this one first.
        last_event_id (None | str | Unset): Set by EventSource on reconnect.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem]
    """

    kwargs = _get_kwargs(
        username=username,
        ticket=ticket,
        since=since,
        last_event_id=last_event_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    username: str,
    *,
    client: AuthenticatedClient,
    ticket: None | str | Unset = UNSET,
    since: int | None | Unset = UNSET,
    last_event_id: None | str | Unset = UNSET,
) -> Any | Problem | None:
    """Get Events

     Server-Sent Events: your changes as they commit. Authenticate with the bearer
    header, or (EventSource) with `?ticket=`. Without `since` the stream starts now;
    with it, or with `Last-Event-ID`, it first replays what came after, then goes live,
    with no gap and no duplicate. You may have a limited number of streams open at once
    (20 unless the operator says otherwise; this and /ws together): one more is refused
    with 429 `too_many_streams`.

    Args:
        username (str):
        ticket (None | str | Unset): A ticket from POST /users/{username}/stream-tickets.
        since (int | None | Unset): Replay the changes after this one first.
        last_event_id (None | str | Unset): Set by EventSource on reconnect.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem
    """

    return sync_detailed(
        username=username,
        client=client,
        ticket=ticket,
        since=since,
        last_event_id=last_event_id,
    ).parsed


async def asyncio_detailed(
    username: str,
    *,
    client: AuthenticatedClient,
    ticket: None | str | Unset = UNSET,
    since: int | None | Unset = UNSET,
    last_event_id: None | str | Unset = UNSET,
) -> Response[Any | Problem]:
    """Get Events

     Server-Sent Events: your changes as they commit. Authenticate with the bearer
    header, or (EventSource) with `?ticket=`. Without `since` the stream starts now;
    with it, or with `Last-Event-ID`, it first replays what came after, then goes live,
    with no gap and no duplicate. You may have a limited number of streams open at once
    (20 unless the operator says otherwise; this and /ws together): one more is refused
    with 429 `too_many_streams`.

    Args:
        username (str):
        ticket (None | str | Unset): A ticket from POST /users/{username}/stream-tickets.
        since (int | None | Unset): Replay the changes after this one first.
        last_event_id (None | str | Unset): Set by EventSource on reconnect.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem]
    """

    kwargs = _get_kwargs(
        username=username,
        ticket=ticket,
        since=since,
        last_event_id=last_event_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    username: str,
    *,
    client: AuthenticatedClient,
    ticket: None | str | Unset = UNSET,
    since: int | None | Unset = UNSET,
    last_event_id: None | str | Unset = UNSET,
) -> Any | Problem | None:
    """Get Events

     Server-Sent Events: your changes as they commit. Authenticate with the bearer
    header, or (EventSource) with `?ticket=`. Without `since` the stream starts now;
    with it, or with `Last-Event-ID`, it first replays what came after, then goes live,
    with no gap and no duplicate. You may have a limited number of streams open at once
    (20 unless the operator says otherwise; this and /ws together): one more is refused
    with 429 `too_many_streams`.

    Args:
        username (str):
        ticket (None | str | Unset): A ticket from POST /users/{username}/stream-tickets.
        since (int | None | Unset): Replay the changes after this one first.
        last_event_id (None | str | Unset): Set by EventSource on reconnect.

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
            ticket=ticket,
            since=since,
            last_event_id=last_event_id,
        )
    ).parsed
