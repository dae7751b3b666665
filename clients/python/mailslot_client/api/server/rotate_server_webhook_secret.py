from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.webhook_endpoint_with_secret import WebhookEndpointWithSecret
from ...models.webhook_secret_rotate import WebhookSecretRotate
from ...types import Response


def _get_kwargs(
    webhook_id: str,
    *,
    body: WebhookSecretRotate,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/server/webhooks/{webhook_id}/rotate-secret".format(
            webhook_id=quote(str(webhook_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | WebhookEndpointWithSecret | None:
    if response.status_code == 200:
        response_200 = WebhookEndpointWithSecret.from_dict(response.json())

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
) -> Response[Problem | WebhookEndpointWithSecret]:
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
    body: WebhookSecretRotate,
) -> Response[Problem | WebhookEndpointWithSecret]:
    """Rotate Server Webhook Secret

     A new signing secret, shown this once. For `grace_seconds` (a day unless given,
    at most 7 days) every attempt carries two signatures, space-separated in
    `webhook-signature`: one with the new secret, one with the previous, so a receiver
    can switch at its own pace. `previous_secret_expires_at` says when the previous one
    stops. Rotating again during a grace ends it: only the secret being replaced keeps
    signing.

    Args:
        webhook_id (str): The endpoint's `id` (`ep_...`), as created or listed.
        body (WebhookSecretRotate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | WebhookEndpointWithSecret]
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
    body: WebhookSecretRotate,
) -> Problem | WebhookEndpointWithSecret | None:
    """Rotate Server Webhook Secret

     A new signing secret, shown this once. For `grace_seconds` (a day unless given,
    at most 7 days) every attempt carries two signatures, space-separated in
    `webhook-signature`: one with the new secret, one with the previous, so a receiver
    can switch at its own pace. `previous_secret_expires_at` says when the previous one
    stops. Rotating again during a grace ends it: only the secret being replaced keeps
    signing.

    Args:
        webhook_id (str): The endpoint's `id` (`ep_...`), as created or listed.
        body (WebhookSecretRotate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | WebhookEndpointWithSecret
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
    body: WebhookSecretRotate,
) -> Response[Problem | WebhookEndpointWithSecret]:
    """Rotate Server Webhook Secret

     A new signing secret, shown this once. For `grace_seconds` (a day unless given,
    at most 7 days) every attempt carries two signatures, space-separated in
    `webhook-signature`: one with the new secret, one with the previous, so a receiver
    can switch at its own pace. `previous_secret_expires_at` says when the previous one
    stops. Rotating again during a grace ends it: only the secret being replaced keeps
    signing.

    Args:
        webhook_id (str): The endpoint's `id` (`ep_...`), as created or listed.
        body (WebhookSecretRotate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | WebhookEndpointWithSecret]
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
    body: WebhookSecretRotate,
) -> Problem | WebhookEndpointWithSecret | None:
    """Rotate Server Webhook Secret

     A new signing secret, shown this once. For `grace_seconds` (a day unless given,
    at most 7 days) every attempt carries two signatures, space-separated in
    `webhook-signature`: one with the new secret, one with the previous, so a receiver
    can switch at its own pace. `previous_secret_expires_at` says when the previous one
    stops. Rotating again during a grace ends it: only the secret being replaced keeps
    signing.

    Args:
        webhook_id (str): The endpoint's `id` (`ep_...`), as created or listed.
        body (WebhookSecretRotate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | WebhookEndpointWithSecret
    """

    return (
        await asyncio_detailed(
            webhook_id=webhook_id,
            client=client,
            body=body,
        )
    ).parsed
