from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.list_server_reports_state_type_0 import (
    ListServerReportsStateType0,
)
from ...models.problem import Problem
from ...models.report_page import ReportPage
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    state: ListServerReportsStateType0 | None | Unset = UNSET,
    per_page: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_state: None | str | Unset
    if isinstance(state, Unset):
        json_state = UNSET
    elif isinstance(state, str):
        json_state = state
    else:
        json_state = state
    params["state"] = json_state

    params["per_page"] = per_page

    json_cursor: None | str | Unset
    if isinstance(cursor, Unset):
        json_cursor = UNSET
    else:
        json_cursor = cursor
    params["cursor"] = json_cursor

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/server/reports",
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | ReportPage | None:
    if response.status_code == 200:
        response_200 = ReportPage.from_dict(response.json())

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
) -> Response[Problem | ReportPage]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    state: ListServerReportsStateType0 | None | Unset = UNSET,
    per_page: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
) -> Response[Problem | ReportPage]:
    """List Server Reports

     Reports users made of messages they received, newest first: `state=open` is the
    moderation queue. Each keeps the message as it was when reported.

    Args:
        state (ListServerReportsStateType0 | None | Unset): Only reports in this state; every
            report when left out.
        per_page (int | Unset):  Default: 20.
        cursor (None | str | Unset): `next_cursor` of the previous page.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | ReportPage]
    """

    kwargs = _get_kwargs(
        state=state,
        per_page=per_page,
        cursor=cursor,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    state: ListServerReportsStateType0 | None | Unset = UNSET,
    per_page: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
) -> Problem | ReportPage | None:
    """List Server Reports

     Reports users made of messages they received, newest first: `state=open` is the
    moderation queue. Each keeps the message as it was when reported.

    Args:
        state (ListServerReportsStateType0 | None | Unset): Only reports in this state; every
            report when left out.
        per_page (int | Unset):  Default: 20.
        cursor (None | str | Unset): `next_cursor` of the previous page.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | ReportPage
    """

    return sync_detailed(
        client=client,
        state=state,
        per_page=per_page,
        cursor=cursor,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    state: ListServerReportsStateType0 | None | Unset = UNSET,
    per_page: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
) -> Response[Problem | ReportPage]:
    """List Server Reports

     Reports users made of messages they received, newest first: `state=open` is the
    moderation queue. Each keeps the message as it was when reported.

    Args:
        state (ListServerReportsStateType0 | None | Unset): Only reports in this state; every
            report when left out.
        per_page (int | Unset):  Default: 20.
        cursor (None | str | Unset): `next_cursor` of the previous page.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | ReportPage]
    """

    kwargs = _get_kwargs(
        state=state,
        per_page=per_page,
        cursor=cursor,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    state: ListServerReportsStateType0 | None | Unset = UNSET,
    per_page: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
) -> Problem | ReportPage | None:
    """List Server Reports

     Reports users made of messages they received, newest first: `state=open` is the
    moderation queue. Each keeps the message as it was when reported.

    Args:
        state (ListServerReportsStateType0 | None | Unset): Only reports in this state; every
            report when left out.
        per_page (int | Unset):  Default: 20.
        cursor (None | str | Unset): `next_cursor` of the previous page.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | ReportPage
    """

    return (
        await asyncio_detailed(
            client=client,
            state=state,
            per_page=per_page,
            cursor=cursor,
        )
    ).parsed
