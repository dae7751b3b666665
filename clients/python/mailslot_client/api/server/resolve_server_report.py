from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.report_read import ReportRead
from ...models.report_resolve import ReportResolve
from ...types import Response


def _get_kwargs(
    report_id: int,
    *,
    body: ReportResolve,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/server/reports/{report_id}/resolve".format(
            report_id=quote(str(report_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | ReportRead | None:
    if response.status_code == 200:
        response_200 = ReportRead.from_dict(response.json())

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

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = Problem.from_dict(response.json())

        return response_415

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
) -> Response[Problem | ReportRead]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    report_id: int,
    *,
    client: AuthenticatedClient,
    body: ReportResolve,
) -> Response[Problem | ReportRead]:
    """Resolve Server Report

     Resolve an open report: `dismiss`; `delete_message` (for everyone, as its sender's
    delete does); `suspend_sender` or `shadow_ban_sender` (the sanction's reason names the
    report). 409 `report_resolved` for a report resolved already. The reporter is never
    named to the sender. Writes the `report.resolved` webhook event.

    Args:
        report_id (int): The report's id.
        body (ReportResolve):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | ReportRead]
    """

    kwargs = _get_kwargs(
        report_id=report_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    report_id: int,
    *,
    client: AuthenticatedClient,
    body: ReportResolve,
) -> Problem | ReportRead | None:
    """Resolve Server Report

     Resolve an open report: `dismiss`; `delete_message` (for everyone, as its sender's
    delete does); `suspend_sender` or `shadow_ban_sender` (the sanction's reason names the
    report). 409 `report_resolved` for a report resolved already. The reporter is never
    named to the sender. Writes the `report.resolved` webhook event.

    Args:
        report_id (int): The report's id.
        body (ReportResolve):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | ReportRead
    """

    return sync_detailed(
        report_id=report_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    report_id: int,
    *,
    client: AuthenticatedClient,
    body: ReportResolve,
) -> Response[Problem | ReportRead]:
    """Resolve Server Report

     Resolve an open report: `dismiss`; `delete_message` (for everyone, as its sender's
    delete does); `suspend_sender` or `shadow_ban_sender` (the sanction's reason names the
    report). 409 `report_resolved` for a report resolved already. The reporter is never
    named to the sender. Writes the `report.resolved` webhook event.

    Args:
        report_id (int): The report's id.
        body (ReportResolve):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | ReportRead]
    """

    kwargs = _get_kwargs(
        report_id=report_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    report_id: int,
    *,
    client: AuthenticatedClient,
    body: ReportResolve,
) -> Problem | ReportRead | None:
    """Resolve Server Report

     Resolve an open report: `dismiss`; `delete_message` (for everyone, as its sender's
    delete does); `suspend_sender` or `shadow_ban_sender` (the sanction's reason names the
    report). 409 `report_resolved` for a report resolved already. The reporter is never
    named to the sender. Writes the `report.resolved` webhook event.

    Args:
        report_id (int): The report's id.
        body (ReportResolve):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | ReportRead
    """

    return (
        await asyncio_detailed(
            report_id=report_id,
            client=client,
            body=body,
        )
    ).parsed
