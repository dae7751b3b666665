from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.webhook_delivery_read import WebhookDeliveryRead
from ...types import Response


def _get_kwargs(
    webhook_id: str,
    event_id: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/server/webhooks/{webhook_id}/deliveries/{event_id}/redeliver".format(
            webhook_id=quote(str(webhook_id), safe=""),
            event_id=quote(str(event_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | WebhookDeliveryRead | None:
    if response.status_code == 202:
        response_202 = WebhookDeliveryRead.from_dict(response.json())

        return response_202

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
) -> Response[Problem | WebhookDeliveryRead]:
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
) -> Response[Problem | WebhookDeliveryRead]:
    """Redeliver Server Webhook Delivery

     Send the event to the endpoint once more, now, whatever became of it: the
    delivery is `pending` again, with the same `webhook-id`, signed with the endpoint's
    secrets of the time it is sent; a failure goes on with the retry schedule where it
    stopped. An attempt in flight at that moment is the redelivery (no second one starts
    beside it). 409 `webhook_disabled` for a disabled endpoint; 404 `webhook_not_found`,
    `delivery_not_found`.

    Args:
        webhook_id (str): The endpoint's id, `ep_...`.
        event_id (str): The event's id (`webhook-id`), `msg_...`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | WebhookDeliveryRead]
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
) -> Problem | WebhookDeliveryRead | None:
    """Redeliver Server Webhook Delivery

     Send the event to the endpoint once more, now, whatever became of it: the
    delivery is `pending` again, with the same `webhook-id`, signed with the endpoint's
    secrets of the time it is sent; a failure goes on with the retry schedule where it
    stopped. An attempt in flight at that moment is the redelivery (no second one starts
    beside it). 409 `webhook_disabled` for a disabled endpoint; 404 `webhook_not_found`,
    `delivery_not_found`.

    Args:
        webhook_id (str): The endpoint's id, `ep_...`.
        event_id (str): The event's id (`webhook-id`), `msg_...`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | WebhookDeliveryRead
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
) -> Response[Problem | WebhookDeliveryRead]:
    """Redeliver Server Webhook Delivery

     Send the event to the endpoint once more, now, whatever became of it: the
    delivery is `pending` again, with the same `webhook-id`, signed with the endpoint's
    secrets of the time it is sent; a failure goes on with the retry schedule where it
    stopped. An attempt in flight at that moment is the redelivery (no second one starts
    beside it). 409 `webhook_disabled` for a disabled endpoint; 404 `webhook_not_found`,
    `delivery_not_found`.

    Args:
        webhook_id (str): The endpoint's id, `ep_...`.
        event_id (str): The event's id (`webhook-id`), `msg_...`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | WebhookDeliveryRead]
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
) -> Problem | WebhookDeliveryRead | None:
    """Redeliver Server Webhook Delivery

     Send the event to the endpoint once more, now, whatever became of it: the
    delivery is `pending` again, with the same `webhook-id`, signed with the endpoint's
    secrets of the time it is sent; a failure goes on with the retry schedule where it
    stopped. An attempt in flight at that moment is the redelivery (no second one starts
    beside it). 409 `webhook_disabled` for a disabled endpoint; 404 `webhook_not_found`,
    `delivery_not_found`.

    Args:
        webhook_id (str): The endpoint's id, `ep_...`.
        event_id (str): The event's id (`webhook-id`), `msg_...`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | WebhookDeliveryRead
    """

    return (
        await asyncio_detailed(
            webhook_id=webhook_id,
            event_id=event_id,
            client=client,
        )
    ).parsed
