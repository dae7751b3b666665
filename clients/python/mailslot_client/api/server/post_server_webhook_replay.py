from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.job_read import JobRead
from ...models.problem import Problem
from ...models.replay_create import ReplayCreate
from ...types import Response


def _get_kwargs(
    webhook_id: str,
    *,
    body: ReplayCreate,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/server/webhooks/{webhook_id}/replay".format(
            webhook_id=quote(str(webhook_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> JobRead | Problem | None:
    if response.status_code == 202:
        response_202 = JobRead.from_dict(response.json())

        return response_202

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[JobRead | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    webhook_id: str,
    *,
    client: AuthenticatedClient,
    body: ReplayCreate,
) -> Response[JobRead | Problem]:
    """Post Server Webhook Replay

     Send again the endpoint's deliveries of events made in [`since`, `until`) (at
    most MAILSLOT_WEBHOOK_LOG_DAYS days; `until` stops at now), of `event_types` if
    given, only those that failed if `only_failed`: a job, run in the background, that
    makes them `pending` and due now, under their own `webhook-id`s. Follow it with
    `GET /server/jobs/{id}`. 409 `webhook_disabled`; 422 for an empty or too long range,
    or an unknown event type; 404 `webhook_not_found`.

    Args:
        webhook_id (str): The endpoint's id, `ep_...`.
        body (ReplayCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[JobRead | Problem]
    """

    kwargs = _get_kwargs(
        webhook_id=webhook_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    webhook_id: str,
    *,
    client: AuthenticatedClient,
    body: ReplayCreate,
) -> JobRead | Problem | None:
    """Post Server Webhook Replay

     Send again the endpoint's deliveries of events made in [`since`, `until`) (at
    most MAILSLOT_WEBHOOK_LOG_DAYS days; `until` stops at now), of `event_types` if
    given, only those that failed if `only_failed`: a job, run in the background, that
    makes them `pending` and due now, under their own `webhook-id`s. Follow it with
    `GET /server/jobs/{id}`. 409 `webhook_disabled`; 422 for an empty or too long range,
    or an unknown event type; 404 `webhook_not_found`.

    Args:
        webhook_id (str): The endpoint's id, `ep_...`.
        body (ReplayCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        JobRead | Problem
    """

    return sync_detailed(
        webhook_id=webhook_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    webhook_id: str,
    *,
    client: AuthenticatedClient,
    body: ReplayCreate,
) -> Response[JobRead | Problem]:
    """Post Server Webhook Replay

     Send again the endpoint's deliveries of events made in [`since`, `until`) (at
    most MAILSLOT_WEBHOOK_LOG_DAYS days; `until` stops at now), of `event_types` if
    given, only those that failed if `only_failed`: a job, run in the background, that
    makes them `pending` and due now, under their own `webhook-id`s. Follow it with
    `GET /server/jobs/{id}`. 409 `webhook_disabled`; 422 for an empty or too long range,
    or an unknown event type; 404 `webhook_not_found`.

    Args:
        webhook_id (str): The endpoint's id, `ep_...`.
        body (ReplayCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[JobRead | Problem]
    """

    kwargs = _get_kwargs(
        webhook_id=webhook_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    webhook_id: str,
    *,
    client: AuthenticatedClient,
    body: ReplayCreate,
) -> JobRead | Problem | None:
    """Post Server Webhook Replay

     Send again the endpoint's deliveries of events made in [`since`, `until`) (at
    most MAILSLOT_WEBHOOK_LOG_DAYS days; `until` stops at now), of `event_types` if
    given, only those that failed if `only_failed`: a job, run in the background, that
    makes them `pending` and due now, under their own `webhook-id`s. Follow it with
    `GET /server/jobs/{id}`. 409 `webhook_disabled`; 422 for an empty or too long range,
    or an unknown event type; 404 `webhook_not_found`.

    Args:
        webhook_id (str): The endpoint's id, `ep_...`.
        body (ReplayCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        JobRead | Problem
    """

    return (
        await asyncio_detailed(
            webhook_id=webhook_id,
            client=client,
            body=body,
        )
    ).parsed
