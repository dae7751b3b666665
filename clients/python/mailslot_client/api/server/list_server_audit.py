import datetime
from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.audit_page import AuditPage
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    since: datetime.datetime | None | Unset = UNSET,
    until: datetime.datetime | None | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
    user: None | str | Unset = UNSET,
    username: None | str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

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

    json_user: None | str | Unset
    if isinstance(user, Unset):
        json_user = UNSET
    else:
        json_user = user
    params["user"] = json_user

    json_username: None | str | Unset
    if isinstance(username, Unset):
        json_username = UNSET
    else:
        json_username = username
    params["username"] = json_username

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/server/audit",
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> AuditPage | Problem | None:
    if response.status_code == 200:
        response_200 = AuditPage.from_dict(response.json())

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[AuditPage | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    since: datetime.datetime | None | Unset = UNSET,
    until: datetime.datetime | None | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
    user: None | str | Unset = UNSET,
    username: None | str | Unset = UNSET,
) -> Response[AuditPage | Problem]:
    """List Server Audit

     The audit trail: every read of a mailbox under /server, by any key, newest first;
    of one user's mailbox with `user` (your id for them) or `username`, read in
    [`since`, `until`). A message read is a record in its sender's mailbox and one in each
    receiver's.

    Args:
        since (datetime.datetime | None | Unset): Read at or after (ISO 8601; UTC).
        until (datetime.datetime | None | Unset): Read before.
        limit (int | Unset): Records per page, at most 200. Default: 50.
        cursor (None | str | Unset): `next_cursor` of the previous page.
        user (None | str | Unset): Reads of this user's mailbox: your id.
        username (None | str | Unset): Reads of this user's mailbox.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AuditPage | Problem]
    """

    kwargs = _get_kwargs(
        since=since,
        until=until,
        limit=limit,
        cursor=cursor,
        user=user,
        username=username,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    since: datetime.datetime | None | Unset = UNSET,
    until: datetime.datetime | None | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
    user: None | str | Unset = UNSET,
    username: None | str | Unset = UNSET,
) -> AuditPage | Problem | None:
    """List Server Audit

     The audit trail: every read of a mailbox under /server, by any key, newest first;
    of one user's mailbox with `user` (your id for them) or `username`, read in
    [`since`, `until`). A message read is a record in its sender's mailbox and one in each
    receiver's.

    Args:
        since (datetime.datetime | None | Unset): Read at or after (ISO 8601; UTC).
        until (datetime.datetime | None | Unset): Read before.
        limit (int | Unset): Records per page, at most 200. Default: 50.
        cursor (None | str | Unset): `next_cursor` of the previous page.
        user (None | str | Unset): Reads of this user's mailbox: your id.
        username (None | str | Unset): Reads of this user's mailbox.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AuditPage | Problem
    """

    return sync_detailed(
        client=client,
        since=since,
        until=until,
        limit=limit,
        cursor=cursor,
        user=user,
        username=username,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    since: datetime.datetime | None | Unset = UNSET,
    until: datetime.datetime | None | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
    user: None | str | Unset = UNSET,
    username: None | str | Unset = UNSET,
) -> Response[AuditPage | Problem]:
    """List Server Audit

     The audit trail: every read of a mailbox under /server, by any key, newest first;
    of one user's mailbox with `user` (your id for them) or `username`, read in
    [`since`, `until`). A message read is a record in its sender's mailbox and one in each
    receiver's.

    Args:
        since (datetime.datetime | None | Unset): Read at or after (ISO 8601; UTC).
        until (datetime.datetime | None | Unset): Read before.
        limit (int | Unset): Records per page, at most 200. Default: 50.
        cursor (None | str | Unset): `next_cursor` of the previous page.
        user (None | str | Unset): Reads of this user's mailbox: your id.
        username (None | str | Unset): Reads of this user's mailbox.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AuditPage | Problem]
    """

    kwargs = _get_kwargs(
        since=since,
        until=until,
        limit=limit,
        cursor=cursor,
        user=user,
        username=username,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    since: datetime.datetime | None | Unset = UNSET,
    until: datetime.datetime | None | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
    user: None | str | Unset = UNSET,
    username: None | str | Unset = UNSET,
) -> AuditPage | Problem | None:
    """List Server Audit

     The audit trail: every read of a mailbox under /server, by any key, newest first;
    of one user's mailbox with `user` (your id for them) or `username`, read in
    [`since`, `until`). A message read is a record in its sender's mailbox and one in each
    receiver's.

    Args:
        since (datetime.datetime | None | Unset): Read at or after (ISO 8601; UTC).
        until (datetime.datetime | None | Unset): Read before.
        limit (int | Unset): Records per page, at most 200. Default: 50.
        cursor (None | str | Unset): `next_cursor` of the previous page.
        user (None | str | Unset): Reads of this user's mailbox: your id.
        username (None | str | Unset): Reads of this user's mailbox.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AuditPage | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            since=since,
            until=until,
            limit=limit,
            cursor=cursor,
            user=user,
            username=username,
        )
    ).parsed
