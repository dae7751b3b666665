from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.server_message_create import ServerMessageCreate
from ...models.server_message_sent import ServerMessageSent
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: ServerMessageCreate,
    idempotency_key: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/server/messages",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | ServerMessageSent | None:
    if response.status_code == 201:
        response_201 = ServerMessageSent.from_dict(response.json())

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
) -> Response[Problem | ServerMessageSent]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: ServerMessageCreate,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[Problem | ServerMessageSent]:
    """Post Server Message

     Send one message as a user or as the platform to up to 1,000 users, by external
    id. Each recipient who can receive it gets it; the answer says, per recipient,
    `delivered`, `unknown_user`, `deactivated`, `policy_denied` (the messaging policy
    refuses a user's message to them; the platform's passes it), or `blocked` for a
    recipient who blocks the sender and `withheld` for every one while the sender is
    shadow-banned (the message is stored as sent, and reaches none of those two). When
    none can: 422 `no_recipient_can_receive`, or 403 `policy_denied` when the policy
    refused every one who could receive; nothing stored. An unknown sender: 404
    `user_not_found`; a deactivated one: 403 `account_deactivated`; a suspended one: 403
    `account_suspended`.

    With an `Idempotency-Key` a retry repeats the first answer (`Idempotent-Replayed:
    true`); keys belong to the sender. A reply (`reply_to`) joins that message's thread
    and carries its context.

    Where the operator set up a pre-send hook, it is asked about a user's message (and
    about the platform's only with MAILSLOT_SEND_HOOK_SYSTEM on): it may refuse it (403
    `policy_denied`) or change its subject and body; 503 `send_hook_unavailable` when it
    failed and the operator chose not to send unvetted messages.

    Args:
        idempotency_key (None | str | Unset): Up to 255 characters: a retry with the same key and
            body returns the first answer (with `Idempotent-Replayed: true`) instead of sending again.
        body (ServerMessageCreate): A message from a user (their external id) or from the platform
            (`"system"`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | ServerMessageSent]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: ServerMessageCreate,
    idempotency_key: None | str | Unset = UNSET,
) -> Problem | ServerMessageSent | None:
    """Post Server Message

     Send one message as a user or as the platform to up to 1,000 users, by external
    id. Each recipient who can receive it gets it; the answer says, per recipient,
    `delivered`, `unknown_user`, `deactivated`, `policy_denied` (the messaging policy
    refuses a user's message to them; the platform's passes it), or `blocked` for a
    recipient who blocks the sender and `withheld` for every one while the sender is
    shadow-banned (the message is stored as sent, and reaches none of those two). When
    none can: 422 `no_recipient_can_receive`, or 403 `policy_denied` when the policy
    refused every one who could receive; nothing stored. An unknown sender: 404
    `user_not_found`; a deactivated one: 403 `account_deactivated`; a suspended one: 403
    `account_suspended`.

    With an `Idempotency-Key` a retry repeats the first answer (`Idempotent-Replayed:
    true`); keys belong to the sender. A reply (`reply_to`) joins that message's thread
    and carries its context.

    Where the operator set up a pre-send hook, it is asked about a user's message (and
    about the platform's only with MAILSLOT_SEND_HOOK_SYSTEM on): it may refuse it (403
    `policy_denied`) or change its subject and body; 503 `send_hook_unavailable` when it
    failed and the operator chose not to send unvetted messages.

    Args:
        idempotency_key (None | str | Unset): Up to 255 characters: a retry with the same key and
            body returns the first answer (with `Idempotent-Replayed: true`) instead of sending again.
        body (ServerMessageCreate): A message from a user (their external id) or from the platform
            (`"system"`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | ServerMessageSent
    """

    return sync_detailed(
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: ServerMessageCreate,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[Problem | ServerMessageSent]:
    """Post Server Message

     Send one message as a user or as the platform to up to 1,000 users, by external
    id. Each recipient who can receive it gets it; the answer says, per recipient,
    `delivered`, `unknown_user`, `deactivated`, `policy_denied` (the messaging policy
    refuses a user's message to them; the platform's passes it), or `blocked` for a
    recipient who blocks the sender and `withheld` for every one while the sender is
    shadow-banned (the message is stored as sent, and reaches none of those two). When
    none can: 422 `no_recipient_can_receive`, or 403 `policy_denied` when the policy
    refused every one who could receive; nothing stored. An unknown sender: 404
    `user_not_found`; a deactivated one: 403 `account_deactivated`; a suspended one: 403
    `account_suspended`.

    With an `Idempotency-Key` a retry repeats the first answer (`Idempotent-Replayed:
    true`); keys belong to the sender. A reply (`reply_to`) joins that message's thread
    and carries its context.

    Where the operator set up a pre-send hook, it is asked about a user's message (and
    about the platform's only with MAILSLOT_SEND_HOOK_SYSTEM on): it may refuse it (403
    `policy_denied`) or change its subject and body; 503 `send_hook_unavailable` when it
    failed and the operator chose not to send unvetted messages.

    Args:
        idempotency_key (None | str | Unset): Up to 255 characters: a retry with the same key and
            body returns the first answer (with `Idempotent-Replayed: true`) instead of sending again.
        body (ServerMessageCreate): A message from a user (their external id) or from the platform
            (`"system"`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | ServerMessageSent]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: ServerMessageCreate,
    idempotency_key: None | str | Unset = UNSET,
) -> Problem | ServerMessageSent | None:
    """Post Server Message

     Send one message as a user or as the platform to up to 1,000 users, by external
    id. Each recipient who can receive it gets it; the answer says, per recipient,
    `delivered`, `unknown_user`, `deactivated`, `policy_denied` (the messaging policy
    refuses a user's message to them; the platform's passes it), or `blocked` for a
    recipient who blocks the sender and `withheld` for every one while the sender is
    shadow-banned (the message is stored as sent, and reaches none of those two). When
    none can: 422 `no_recipient_can_receive`, or 403 `policy_denied` when the policy
    refused every one who could receive; nothing stored. An unknown sender: 404
    `user_not_found`; a deactivated one: 403 `account_deactivated`; a suspended one: 403
    `account_suspended`.

    With an `Idempotency-Key` a retry repeats the first answer (`Idempotent-Replayed:
    true`); keys belong to the sender. A reply (`reply_to`) joins that message's thread
    and carries its context.

    Where the operator set up a pre-send hook, it is asked about a user's message (and
    about the platform's only with MAILSLOT_SEND_HOOK_SYSTEM on): it may refuse it (403
    `policy_denied`) or change its subject and body; 503 `send_hook_unavailable` when it
    failed and the operator chose not to send unvetted messages.

    Args:
        idempotency_key (None | str | Unset): Up to 255 characters: a retry with the same key and
            body returns the first answer (with `Idempotent-Replayed: true`) instead of sending again.
        body (ServerMessageCreate): A message from a user (their external id) or from the platform
            (`"system"`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | ServerMessageSent
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
