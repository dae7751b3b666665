from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.messaging_policy_put import MessagingPolicyPut
from ...models.messaging_policy_read import MessagingPolicyRead
from ...models.problem import Problem
from ...types import Response


def _get_kwargs(
    *,
    body: MessagingPolicyPut,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/server/policy/messaging",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> MessagingPolicyRead | Problem | None:
    if response.status_code == 200:
        response_200 = MessagingPolicyRead.from_dict(response.json())

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
) -> Response[MessagingPolicyRead | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: MessagingPolicyPut,
) -> Response[MessagingPolicyRead | Problem]:
    """Put Messaging Policy

     Replace the messaging policy with these rules (`{}`: no policy). Every instance
    applies it to the next send, before this answers. A message a rule refuses is a 403
    `policy_denied` naming the rule; the server API's send reports such a recipient as
    `policy_denied`. At most 500 rules.

    Args:
        body (MessagingPolicyPut): The whole policy: what is left out has no rule; `{}` removes
            every rule.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[MessagingPolicyRead | Problem]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: MessagingPolicyPut,
) -> MessagingPolicyRead | Problem | None:
    """Put Messaging Policy

     Replace the messaging policy with these rules (`{}`: no policy). Every instance
    applies it to the next send, before this answers. A message a rule refuses is a 403
    `policy_denied` naming the rule; the server API's send reports such a recipient as
    `policy_denied`. At most 500 rules.

    Args:
        body (MessagingPolicyPut): The whole policy: what is left out has no rule; `{}` removes
            every rule.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        MessagingPolicyRead | Problem
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: MessagingPolicyPut,
) -> Response[MessagingPolicyRead | Problem]:
    """Put Messaging Policy

     Replace the messaging policy with these rules (`{}`: no policy). Every instance
    applies it to the next send, before this answers. A message a rule refuses is a 403
    `policy_denied` naming the rule; the server API's send reports such a recipient as
    `policy_denied`. At most 500 rules.

    Args:
        body (MessagingPolicyPut): The whole policy: what is left out has no rule; `{}` removes
            every rule.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[MessagingPolicyRead | Problem]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: MessagingPolicyPut,
) -> MessagingPolicyRead | Problem | None:
    """Put Messaging Policy

     Replace the messaging policy with these rules (`{}`: no policy). Every instance
    applies it to the next send, before this answers. A message a rule refuses is a 403
    `policy_denied` naming the rule; the server API's send reports such a recipient as
    `policy_denied`. At most 500 rules.

    Args:
        body (MessagingPolicyPut): The whole policy: what is left out has no rule; `{}` removes
            every rule.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        MessagingPolicyRead | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
