import datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.list_server_webhook_deliveries_event_type_type_0 import (
    ListServerWebhookDeliveriesEventTypeType0,
)
from ...models.list_server_webhook_deliveries_status_type_0 import (
    ListServerWebhookDeliveriesStatusType0,
)
from ...models.problem import Problem
from ...models.webhook_delivery_page import WebhookDeliveryPage
from ...types import UNSET, Response, Unset


def _get_kwargs(
    webhook_id: str,
    *,
    status: ListServerWebhookDeliveriesStatusType0 | None | Unset = UNSET,
    event_type: ListServerWebhookDeliveriesEventTypeType0 | None | Unset = UNSET,
    since: datetime.datetime | None | Unset = UNSET,
    until: datetime.datetime | None | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_status: None | str | Unset
    if isinstance(status, Unset):
        json_status = UNSET
    elif isinstance(status, str):
        json_status = status
    else:
        json_status = status
    params["status"] = json_status

    json_event_type: None | str | Unset
    if isinstance(event_type, Unset):
        json_event_type = UNSET
    elif isinstance(event_type, str):
        json_event_type = event_type
    else:
        json_event_type = event_type
    params["event_type"] = json_event_type

    json_since: None | str | Unset
    if isinstance(since, Unset):
        json_since = UNSET
    elif isinstance(since, datetime.datetime):
        json_since = since.isoformat()
    else:
        json_since = since
    params["since"] = json_since

    json_until: None | str | Unset
    if isinstance(until, Unset):
        json_until = UNSET
    elif isinstance(until, datetime.datetime):
        json_until = until.isoformat()
    else:
        json_until = until
    params["until"] = json_until

    params["limit"] = limit

    json_cursor: None | str | Unset
    if isinstance(cursor, Unset):
        json_cursor = UNSET
    else:
        json_cursor = cursor
    params["cursor"] = json_cursor

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/server/webhooks/{webhook_id}/deliveries".format(
            webhook_id=quote(str(webhook_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | WebhookDeliveryPage | None:
    if response.status_code == 200:
        response_200 = WebhookDeliveryPage.from_dict(response.json())

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
) -> Response[Problem | WebhookDeliveryPage]:
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
    status: ListServerWebhookDeliveriesStatusType0 | None | Unset = UNSET,
    event_type: ListServerWebhookDeliveriesEventTypeType0 | None | Unset = UNSET,
    since: datetime.datetime | None | Unset = UNSET,
    until: datetime.datetime | None | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
) -> Response[Problem | WebhookDeliveryPage]:
    """List Server Webhook Deliveries

     The endpoint's deliveries, newest first: of one `status`, one `event_type`, and
    events made in [`since`, `until`), as asked. Kept MAILSLOT_WEBHOOK_LOG_DAYS days (30
    by default), and while pending. A page filtered by `status` or `event_type` may hold
    fewer than `limit` deliveries, none even, while `next_cursor` says more may follow:
    each page looks at a bounded stretch of the log. 404 `webhook_not_found`.

    Args:
        webhook_id (str): The endpoint's id, `ep_...`.
        status (ListServerWebhookDeliveriesStatusType0 | None | Unset): Only deliveries in this
            state.
        event_type (ListServerWebhookDeliveriesEventTypeType0 | None | Unset): Only events of this
            type.
        since (datetime.datetime | None | Unset): Events made at or after (ISO 8601).
        until (datetime.datetime | None | Unset): Events made before.
        limit (int | Unset): Deliveries per page, at most 200. Default: 50.
        cursor (None | str | Unset): `next_cursor` of the previous page.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | WebhookDeliveryPage]
    """

    kwargs = _get_kwargs(
        webhook_id=webhook_id,
        status=status,
        event_type=event_type,
        since=since,
        until=until,
        limit=limit,
        cursor=cursor,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    webhook_id: str,
    *,
    client: AuthenticatedClient,
    status: ListServerWebhookDeliveriesStatusType0 | None | Unset = UNSET,
    event_type: ListServerWebhookDeliveriesEventTypeType0 | None | Unset = UNSET,
    since: datetime.datetime | None | Unset = UNSET,
    until: datetime.datetime | None | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
) -> Problem | WebhookDeliveryPage | None:
    """List Server Webhook Deliveries

     The endpoint's deliveries, newest first: of one `status`, one `event_type`, and
    events made in [`since`, `until`), as asked. Kept MAILSLOT_WEBHOOK_LOG_DAYS days (30
    by default), and while pending. A page filtered by `status` or `event_type` may hold
    fewer than `limit` deliveries, none even, while `next_cursor` says more may follow:
    each page looks at a bounded stretch of the log. 404 `webhook_not_found`.

    Args:
        webhook_id (str): The endpoint's id, `ep_...`.
        status (ListServerWebhookDeliveriesStatusType0 | None | Unset): Only deliveries in this
            state.
        event_type (ListServerWebhookDeliveriesEventTypeType0 | None | Unset): Only events of this
            type.
        since (datetime.datetime | None | Unset): Events made at or after (ISO 8601).
        until (datetime.datetime | None | Unset): Events made before.
        limit (int | Unset): Deliveries per page, at most 200. Default: 50.
        cursor (None | str | Unset): `next_cursor` of the previous page.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | WebhookDeliveryPage
    """

    return sync_detailed(
        webhook_id=webhook_id,
        client=client,
        status=status,
        event_type=event_type,
        since=since,
        until=until,
        limit=limit,
        cursor=cursor,
    ).parsed


async def asyncio_detailed(
    webhook_id: str,
    *,
    client: AuthenticatedClient,
    status: ListServerWebhookDeliveriesStatusType0 | None | Unset = UNSET,
    event_type: ListServerWebhookDeliveriesEventTypeType0 | None | Unset = UNSET,
    since: datetime.datetime | None | Unset = UNSET,
    until: datetime.datetime | None | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
) -> Response[Problem | WebhookDeliveryPage]:
    """List Server Webhook Deliveries

     The endpoint's deliveries, newest first: of one `status`, one `event_type`, and
    events made in [`since`, `until`), as asked. Kept MAILSLOT_WEBHOOK_LOG_DAYS days (30
    by default), and while pending. A page filtered by `status` or `event_type` may hold
    fewer than `limit` deliveries, none even, while `next_cursor` says more may follow:
    each page looks at a bounded stretch of the log. 404 `webhook_not_found`.

    Args:
        webhook_id (str): The endpoint's id, `ep_...`.
        status (ListServerWebhookDeliveriesStatusType0 | None | Unset): Only deliveries in this
            state.
        event_type (ListServerWebhookDeliveriesEventTypeType0 | None | Unset): Only events of this
            type.
        since (datetime.datetime | None | Unset): Events made at or after (ISO 8601).
        until (datetime.datetime | None | Unset): Events made before.
        limit (int | Unset): Deliveries per page, at most 200. Default: 50.
        cursor (None | str | Unset): `next_cursor` of the previous page.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | WebhookDeliveryPage]
    """

    kwargs = _get_kwargs(
        webhook_id=webhook_id,
        status=status,
        event_type=event_type,
        since=since,
        until=until,
        limit=limit,
        cursor=cursor,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    webhook_id: str,
    *,
    client: AuthenticatedClient,
    status: ListServerWebhookDeliveriesStatusType0 | None | Unset = UNSET,
    event_type: ListServerWebhookDeliveriesEventTypeType0 | None | Unset = UNSET,
    since: datetime.datetime | None | Unset = UNSET,
    until: datetime.datetime | None | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
) -> Problem | WebhookDeliveryPage | None:
    """List Server Webhook Deliveries

     The endpoint's deliveries, newest first: of one `status`, one `event_type`, and
    events made in [`since`, `until`), as asked. Kept MAILSLOT_WEBHOOK_LOG_DAYS days (30
    by default), and while pending. A page filtered by `status` or `event_type` may hold
    fewer than `limit` deliveries, none even, while `next_cursor` says more may follow:
    each page looks at a bounded stretch of the log. 404 `webhook_not_found`.

    Args:
        webhook_id (str): The endpoint's id, `ep_...`.
        status (ListServerWebhookDeliveriesStatusType0 | None | Unset): Only deliveries in this
            state.
        event_type (ListServerWebhookDeliveriesEventTypeType0 | None | Unset): Only events of this
            type.
        since (datetime.datetime | None | Unset): Events made at or after (ISO 8601).
        until (datetime.datetime | None | Unset): Events made before.
        limit (int | Unset): Deliveries per page, at most 200. Default: 50.
        cursor (None | str | Unset): `next_cursor` of the previous page.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | WebhookDeliveryPage
    """

    return (
        await asyncio_detailed(
            webhook_id=webhook_id,
            client=client,
            status=status,
            event_type=event_type,
            since=since,
            until=until,
            limit=limit,
            cursor=cursor,
        )
    ).parsed
