from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.seed_a_deletion import SeedADeletion
from ...models.seed_a_message import SeedAMessage
from ...models.seed_a_message_body import SeedAMessageBody
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: SeedAMessageBody,
    request: None | str | Unset = UNSET,
    username: None | str | Unset = UNSET,
    password: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    params: dict[str, Any] = {}

    json_request: None | str | Unset
    if isinstance(request, Unset):
        json_request = UNSET
    else:
        json_request = request
    params["request"] = json_request

    json_username: None | str | Unset
    if isinstance(username, Unset):
        json_username = UNSET
    else:
        json_username = username
    params["username"] = json_username

    json_password: None | str | Unset
    if isinstance(password, Unset):
        json_password = UNSET
    else:
        json_password = password
    params["password"] = json_password

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "//message",
        "params": params,
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | SeedADeletion | SeedAMessage | SeedAMessage | None:
    if response.status_code == 200:

        def _parse_response_200(data: object) -> SeedADeletion | SeedAMessage:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                response_200_type_0 = SeedAMessage.from_dict(data)

                return response_200_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            response_200_type_1 = SeedADeletion.from_dict(data)

            return response_200_type_1

        response_200 = _parse_response_200(response.json())

        return response_200

    if response.status_code == 201:
        response_201 = SeedAMessage.from_dict(response.json())

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
) -> Response[Problem | SeedADeletion | SeedAMessage | SeedAMessage]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: SeedAMessageBody,
    request: None | str | Unset = UNSET,
    username: None | str | Unset = UNSET,
    password: None | str | Unset = UNSET,
) -> Response[Problem | SeedADeletion | SeedAMessage | SeedAMessage]:
    """Seed A Post Message

     `request=write` sends the message (201): `sender` must be you, `receiver` a
        registered user, `timestamp` an RFC 1123 date, kept as written.

        `request=delete` deletes the message the JSON describes (200): as its sender, for
        everyone; as its receiver, from your inbox; anyone else gets 403 `not_your_message`.
        When several messages match, the oldest goes; add the `id` an answer gave to pick one.

        Writing spends the sender's send budget, shared with `POST /users/{username}/messages`
        (429 with `Retry-After`), and the budgets against abuse too. The messaging policy
        may refuse it (403 `policy_denied`). Where the operator set up a pre-send hook, it
        may refuse the message (403 `policy_denied`) or change its subject and message; 503
        `send_hook_unavailable` when it failed and unvetted messages are not sent.

    Also answered at the single-slash address, for clients and proxies that merge slashes.

    Args:
        request (None | str | Unset): What to do; the operation says which values.
        username (None | str | Unset): Your username.
        password (None | str | Unset): Your password.
        body (SeedAMessageBody): A message as seed A clients write it (`request=write`) and name
            it for deletion
            (`request=delete`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SeedADeletion | SeedAMessage | SeedAMessage]
    """

    kwargs = _get_kwargs(
        body=body,
        request=request,
        username=username,
        password=password,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: SeedAMessageBody,
    request: None | str | Unset = UNSET,
    username: None | str | Unset = UNSET,
    password: None | str | Unset = UNSET,
) -> Problem | SeedADeletion | SeedAMessage | SeedAMessage | None:
    """Seed A Post Message

     `request=write` sends the message (201): `sender` must be you, `receiver` a
        registered user, `timestamp` an RFC 1123 date, kept as written.

        `request=delete` deletes the message the JSON describes (200): as its sender, for
        everyone; as its receiver, from your inbox; anyone else gets 403 `not_your_message`.
        When several messages match, the oldest goes; add the `id` an answer gave to pick one.

        Writing spends the sender's send budget, shared with `POST /users/{username}/messages`
        (429 with `Retry-After`), and the budgets against abuse too. The messaging policy
        may refuse it (403 `policy_denied`). Where the operator set up a pre-send hook, it
        may refuse the message (403 `policy_denied`) or change its subject and message; 503
        `send_hook_unavailable` when it failed and unvetted messages are not sent.

    Also answered at the single-slash address, for clients and proxies that merge slashes.

    Args:
        request (None | str | Unset): What to do; the operation says which values.
        username (None | str | Unset): Your username.
        password (None | str | Unset): Your password.
        body (SeedAMessageBody): A message as seed A clients write it (`request=write`) and name
            it for deletion
            (`request=delete`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SeedADeletion | SeedAMessage | SeedAMessage
    """

    return sync_detailed(
        client=client,
        body=body,
        request=request,
        username=username,
        password=password,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: SeedAMessageBody,
    request: None | str | Unset = UNSET,
    username: None | str | Unset = UNSET,
    password: None | str | Unset = UNSET,
) -> Response[Problem | SeedADeletion | SeedAMessage | SeedAMessage]:
    """Seed A Post Message

     `request=write` sends the message (201): `sender` must be you, `receiver` a
        registered user, `timestamp` an RFC 1123 date, kept as written.

        `request=delete` deletes the message the JSON describes (200): as its sender, for
        everyone; as its receiver, from your inbox; anyone else gets 403 `not_your_message`.
        When several messages match, the oldest goes; add the `id` an answer gave to pick one.

        Writing spends the sender's send budget, shared with `POST /users/{username}/messages`
        (429 with `Retry-After`), and the budgets against abuse too. The messaging policy
        may refuse it (403 `policy_denied`). Where the operator set up a pre-send hook, it
        may refuse the message (403 `policy_denied`) or change its subject and message; 503
        `send_hook_unavailable` when it failed and unvetted messages are not sent.

    Also answered at the single-slash address, for clients and proxies that merge slashes.

    Args:
        request (None | str | Unset): What to do; the operation says which values.
        username (None | str | Unset): Your username.
        password (None | str | Unset): Your password.
        body (SeedAMessageBody): A message as seed A clients write it (`request=write`) and name
            it for deletion
            (`request=delete`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SeedADeletion | SeedAMessage | SeedAMessage]
    """

    kwargs = _get_kwargs(
        body=body,
        request=request,
        username=username,
        password=password,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: SeedAMessageBody,
    request: None | str | Unset = UNSET,
    username: None | str | Unset = UNSET,
    password: None | str | Unset = UNSET,
) -> Problem | SeedADeletion | SeedAMessage | SeedAMessage | None:
    """Seed A Post Message

     `request=write` sends the message (201): `sender` must be you, `receiver` a
        registered user, `timestamp` an RFC 1123 date, kept as written.

        `request=delete` deletes the message the JSON describes (200): as its sender, for
        everyone; as its receiver, from your inbox; anyone else gets 403 `not_your_message`.
        When several messages match, the oldest goes; add the `id` an answer gave to pick one.

        Writing spends the sender's send budget, shared with `POST /users/{username}/messages`
        (429 with `Retry-After`), and the budgets against abuse too. The messaging policy
        may refuse it (403 `policy_denied`). Where the operator set up a pre-send hook, it
        may refuse the message (403 `policy_denied`) or change its subject and message; 503
        `send_hook_unavailable` when it failed and unvetted messages are not sent.

    Also answered at the single-slash address, for clients and proxies that merge slashes.

    Args:
        request (None | str | Unset): What to do; the operation says which values.
        username (None | str | Unset): Your username.
        password (None | str | Unset): Your password.
        body (SeedAMessageBody): A message as seed A clients write it (`request=write`) and name
            it for deletion
            (`request=delete`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SeedADeletion | SeedAMessage | SeedAMessage
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            request=request,
            username=username,
            password=password,
        )
    ).parsed
