from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.webhook_delivery_detail_read import WebhookDeliveryDetailRead
from ...types import Response


def _get_kwargs(
    webhook_id: str,
    event_id: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/server/webhooks/{webhook_id}/deliveries/{event_id}".format(
            webhook_id=quote(str(webhook_id), safe=""),
            event_id=quote(str(event_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | WebhookDeliveryDetailRead | None:
    if response.status_code == 200:
        response_200 = WebhookDeliveryDetailRead.from_dict(response.json())

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
) -> Response[Problem | WebhookDeliveryDetailRead]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    webhook_id: str,
    event_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[Problem | WebhookDeliveryDetailRead]:
    """Get Server Webhook Delivery

     The endpoint's delivery of one event: the event's body (`data` is null for a
    mailbox event not yet sent: its first attempt renders it) and every attempt. 404
    `webhook_not_found`, `delivery_not_found`.

    Args:
        webhook_id (str): The endpoint's id, `ep_...`.
        event_id (str): The event's id (`webhook-id`), `msg_...`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | WebhookDeliveryDetailRead]
    """

    kwargs = _get_kwargs(
        webhook_id=webhook_id,
        event_id=event_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    webhook_id: str,
    event_id: str,
    *,
    client: AuthenticatedClient,
) -> Problem | WebhookDeliveryDetailRead | None:
    """Get Server Webhook Delivery

     The endpoint's delivery of one event: the event's body (`data` is null for a
    mailbox event not yet sent: its first attempt renders it) and every attempt. 404
    `webhook_not_found`, `delivery_not_found`.

    Args:
        webhook_id (str): The endpoint's id, `ep_...`.
        event_id (str): The event's id (`webhook-id`), `msg_...`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | WebhookDeliveryDetailRead
    """

    return sync_detailed(
        webhook_id=webhook_id,
        event_id=event_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    webhook_id: str,
    event_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[Problem | WebhookDeliveryDetailRead]:
    """Get Server Webhook Delivery

     The endpoint's delivery of one event: the event's body (`data` is null for a
    mailbox event not yet sent: its first attempt renders it) and every attempt. 404
    `webhook_not_found`, `delivery_not_found`.

    Args:
        webhook_id (str): The endpoint's id, `ep_...`.
        event_id (str): The event's id (`webhook-id`), `msg_...`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | WebhookDeliveryDetailRead]
    """

    kwargs = _get_kwargs(
        webhook_id=webhook_id,
        event_id=event_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    webhook_id: str,
    event_id: str,
    *,
    client: AuthenticatedClient,
) -> Problem | WebhookDeliveryDetailRead | None:
    """Get Server Webhook Delivery

     The endpoint's delivery of one event: the event's body (`data` is null for a
    mailbox event not yet sent: its first attempt renders it) and every attempt. 404
    `webhook_not_found`, `delivery_not_found`.

    Args:
        webhook_id (str): The endpoint's id, `ep_...`.
        event_id (str): The event's id (`webhook-id`), `msg_...`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | WebhookDeliveryDetailRead
    """

    return (
        await asyncio_detailed(
            webhook_id=webhook_id,
            event_id=event_id,
            client=client,
        )
    ).parsed
