from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.message_create import MessageCreate
from ...models.message_read import MessageRead
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    username: str,
    *,
    body: MessageCreate,
    idempotency_key: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/users/{username}/messages".format(
            username=quote(str(username), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> MessageRead | Problem | None:
    if response.status_code == 201:
        response_201 = MessageRead.from_dict(response.json())

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
) -> Response[MessageRead | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    username: str,
    *,
    client: AuthenticatedClient,
    body: MessageCreate,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[MessageRead | Problem]:
    """Post Message

     Send a message to one receiver (`receiver`) or to several (`receivers`, up to 100).
    Every receiver must be registered: a 422 `unknown_receiver` names those that are not.

    With `reply_to`, the message joins that message's thread; naming no receiver, it goes
    to the other participants of that message. With an `Idempotency-Key`, a retry returns
    the first answer; the key of another request gets 422, a retry while the first is still
    running 409. Sending is budgeted per sender (429 with `Retry-After`).

    `context` says what the message is about (a reply carries its thread's: another is a
    422 `context_mismatch`). A `context_token` minted by the host sends to the token's
    participants under its context; a forged, altered or expired token, or one that does
    not name you, is a 403 `invalid_context`. A reply to a message of the platform
    (sender `@system`) goes to the platform only, and only where the operator takes such
    replies: else a 403 `system_does_not_take_replies`.

    The host's messaging policy (PUT /server/policy/messaging) may refuse the message:
    403 `policy_denied`, `detail` naming the rule, nothing sent to anyone. Budgets against
    abuse (per receiver, for new accounts, for conversations started) answer 429 with
    `Retry-After`; a message that starts conversations with more users than
    MAILSLOT_LIMIT_FIRST_CONTACT allows at once is a 422.

    Where the operator set up a pre-send hook, the host may refuse the message (403
    `policy_denied`, its reason in `detail`) or change its subject and body; a 503
    `send_hook_unavailable` means the hook failed and the operator chose not to send
    unvetted messages.

    Args:
        username (str):
        idempotency_key (None | str | Unset): Up to 255 characters: a retry with the same key and
            body returns the first answer (with `Idempotent-Replayed: true`) instead of sending again.
        body (MessageCreate): Give `receiver` (seed B) or `receivers` (up to 100), not both. A
            reply
            (`reply_to`) may give neither: it goes to the other participants of the message
            it answers. So may a send with a `context_token`: it goes to the token's
            participants.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[MessageRead | Problem]
    """

    kwargs = _get_kwargs(
        username=username,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    username: str,
    *,
    client: AuthenticatedClient,
    body: MessageCreate,
    idempotency_key: None | str | Unset = UNSET,
) -> MessageRead | Problem | None:
    """Post Message

     Send a message to one receiver (`receiver`) or to several (`receivers`, up to 100).
    Every receiver must be registered: a 422 `unknown_receiver` names those that are not.

    With `reply_to`, the message joins that message's thread; naming no receiver, it goes
    to the other participants of that message. With an `Idempotency-Key`, a retry returns
    the first answer; the key of another request gets 422, a retry while the first is still
    running 409. Sending is budgeted per sender (429 with `Retry-After`).

    `context` says what the message is about (a reply carries its thread's: another is a
    422 `context_mismatch`). A `context_token` minted by the host sends to the token's
    participants under its context; a forged, altered or expired token, or one that does
    not name you, is a 403 `invalid_context`. A reply to a message of the platform
    (sender `@system`) goes to the platform only, and only where the operator takes such
    replies: else a 403 `system_does_not_take_replies`.

    The host's messaging policy (PUT /server/policy/messaging) may refuse the message:
    403 `policy_denied`, `detail` naming the rule, nothing sent to anyone. Budgets against
    abuse (per receiver, for new accounts, for conversations started) answer 429 with
    `Retry-After`; a message that starts conversations with more users than
    MAILSLOT_LIMIT_FIRST_CONTACT allows at once is a 422.

    Where the operator set up a pre-send hook, the host may refuse the message (403
    `policy_denied`, its reason in `detail`) or change its subject and body; a 503
    `send_hook_unavailable` means the hook failed and the operator chose not to send
    unvetted messages.

    Args:
        username (str):
        idempotency_key (None | str | Unset): Up to 255 characters: a retry with the same key and
            body returns the first answer (with `Idempotent-Replayed: true`) instead of sending again.
        body (MessageCreate): Give `receiver` (seed B) or `receivers` (up to 100), not both. A
            reply
            (`reply_to`) may give neither: it goes to the other participants of the message
            it answers. So may a send with a `context_token`: it goes to the token's
            participants.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        MessageRead | Problem
    """

    return sync_detailed(
        username=username,
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    username: str,
    *,
    client: AuthenticatedClient,
    body: MessageCreate,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[MessageRead | Problem]:
    """Post Message

     Send a message to one receiver (`receiver`) or to several (`receivers`, up to 100).
    Every receiver must be registered: a 422 `unknown_receiver` names those that are not.

    With `reply_to`, the message joins that message's thread; naming no receiver, it goes
    to the other participants of that message. With an `Idempotency-Key`, a retry returns
    the first answer; the key of another request gets 422, a retry while the first is still
    running 409. Sending is budgeted per sender (429 with `Retry-After`).

    `context` says what the message is about (a reply carries its thread's: another is a
    422 `context_mismatch`). A `context_token` minted by the host sends to the token's
    participants under its context; a forged, altered or expired token, or one that does
    not name you, is a 403 `invalid_context`. A reply to a message of the platform
    (sender `@system`) goes to the platform only, and only where the operator takes such
    replies: else a 403 `system_does_not_take_replies`.

    The host's messaging policy (PUT /server/policy/messaging) may refuse the message:
    403 `policy_denied`, `detail` naming the rule, nothing sent to anyone. Budgets against
    abuse (per receiver, for new accounts, for conversations started) answer 429 with
    `Retry-After`; a message that starts conversations with more users than
    MAILSLOT_LIMIT_FIRST_CONTACT allows at once is a 422.

    Where the operator set up a pre-send hook, the host may refuse the message (403
    `policy_denied`, its reason in `detail`) or change its subject and body; a 503
    `send_hook_unavailable` means the hook failed and the operator chose not to send
    unvetted messages.

    Args:
        username (str):
        idempotency_key (None | str | Unset): Up to 255 characters: a retry with the same key and
            body returns the first answer (with `Idempotent-Replayed: true`) instead of sending again.
        body (MessageCreate): Give `receiver` (seed B) or `receivers` (up to 100), not both. A
            reply
            (`reply_to`) may give neither: it goes to the other participants of the message
            it answers. So may a send with a `context_token`: it goes to the token's
            participants.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[MessageRead | Problem]
    """

    kwargs = _get_kwargs(
        username=username,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    username: str,
    *,
    client: AuthenticatedClient,
    body: MessageCreate,
    idempotency_key: None | str | Unset = UNSET,
) -> MessageRead | Problem | None:
    """Post Message

     Send a message to one receiver (`receiver`) or to several (`receivers`, up to 100).
    Every receiver must be registered: a 422 `unknown_receiver` names those that are not.

    With `reply_to`, the message joins that message's thread; naming no receiver, it goes
    to the other participants of that message. With an `Idempotency-Key`, a retry returns
    the first answer; the key of another request gets 422, a retry while the first is still
    running 409. Sending is budgeted per sender (429 with `Retry-After`).

    `context` says what the message is about (a reply carries its thread's: another is a
    422 `context_mismatch`). A `context_token` minted by the host sends to the token's
    participants under its context; a forged, altered or expired token, or one that does
    not name you, is a 403 `invalid_context`. A reply to a message of the platform
    (sender `@system`) goes to the platform only, and only where the operator takes such
    replies: else a 403 `system_does_not_take_replies`.

    The host's messaging policy (PUT /server/policy/messaging) may refuse the message:
    403 `policy_denied`, `detail` naming the rule, nothing sent to anyone. Budgets against
    abuse (per receiver, for new accounts, for conversations started) answer 429 with
    `Retry-After`; a message that starts conversations with more users than
    MAILSLOT_LIMIT_FIRST_CONTACT allows at once is a 422.

    Where the operator set up a pre-send hook, the host may refuse the message (403
    `policy_denied`, its reason in `detail`) or change its subject and body; a 503
    `send_hook_unavailable` means the hook failed and the operator chose not to send
    unvetted messages.

    Args:
        username (str):
        idempotency_key (None | str | Unset): Up to 255 characters: a retry with the same key and
            body returns the first answer (with `Idempotent-Replayed: true`) instead of sending again.
        body (MessageCreate): Give `receiver` (seed B) or `receivers` (up to 100), not both. A
            reply
            (`reply_to`) may give neither: it goes to the other participants of the message
            it answers. So may a send with a `context_token`: it goes to the token's
            participants.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        MessageRead | Problem
    """

    return (
        await asyncio_detailed(
            username=username,
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
