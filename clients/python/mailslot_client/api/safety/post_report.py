from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.report_create import ReportCreate
from ...models.report_created import ReportCreated
from ...types import Response


def _get_kwargs(
    username: str,
    message_id: int,
    *,
    body: ReportCreate,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/users/{username}/messages/{message_id}/report".format(
            username=quote(str(username), safe=""),
            message_id=quote(str(message_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | ReportCreated | None:
    if response.status_code == 200:
        response_200 = ReportCreated.from_dict(response.json())

        return response_200

    if response.status_code == 201:
        response_201 = ReportCreated.from_dict(response.json())

        return response_201

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

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Problem | ReportCreated]:
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
    body: ReportCreate,
) -> Response[Problem | ReportCreated]:
    """Post Report

     Report a message you received to the operator, with a reason (`spam`,
    `harassment`, `inappropriate`, `other`) and an optional note. The sender is not told,
    and never learns who reported. Reporting the same message again answers the first
    report (200). 404 for a message not in your mailbox; 403 `not_a_receiver` for one
    you sent.

    Args:
        username (str):
        message_id (int):
        body (ReportCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | ReportCreated]
    """

    kwargs = _get_kwargs(
        username=username,
        message_id=message_id,
        body=body,
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
    body: ReportCreate,
) -> Problem | ReportCreated | None:
    """Post Report

     Report a message you received to the operator, with a reason (`spam`,
    `harassment`, `inappropriate`, `other`) and an optional note. The sender is not told,
    and never learns who reported. Reporting the same message again answers the first
    report (200). 404 for a message not in your mailbox; 403 `not_a_receiver` for one
    you sent.

    Args:
        username (str):
        message_id (int):
        body (ReportCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | ReportCreated
    """

    return sync_detailed(
        username=username,
        message_id=message_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    username: str,
    message_id: int,
    *,
    client: AuthenticatedClient,
    body: ReportCreate,
) -> Response[Problem | ReportCreated]:
    """Post Report

     Report a message you received to the operator, with a reason (`spam`,
    `harassment`, `inappropriate`, `other`) and an optional note. The sender is not told,
    and never learns who reported. Reporting the same message again answers the first
    report (200). 404 for a message not in your mailbox; 403 `not_a_receiver` for one
    you sent.

    Args:
        username (str):
        message_id (int):
        body (ReportCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | ReportCreated]
    """

    kwargs = _get_kwargs(
        username=username,
        message_id=message_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    username: str,
    message_id: int,
    *,
    client: AuthenticatedClient,
    body: ReportCreate,
) -> Problem | ReportCreated | None:
    """Post Report

     Report a message you received to the operator, with a reason (`spam`,
    `harassment`, `inappropriate`, `other`) and an optional note. The sender is not told,
    and never learns who reported. Reporting the same message again answers the first
    report (200). 404 for a message not in your mailbox; 403 `not_a_receiver` for one
    you sent.

    Args:
        username (str):
        message_id (int):
        body (ReportCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | ReportCreated
    """

    return (
        await asyncio_detailed(
            username=username,
            message_id=message_id,
            client=client,
            body=body,
        )
    ).parsed
