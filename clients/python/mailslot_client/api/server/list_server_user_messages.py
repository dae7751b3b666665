import datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.list_server_user_messages_box import ListServerUserMessagesBox
from ...models.list_server_user_messages_unread_type_1 import (
    ListServerUserMessagesUnreadType1,
)
from ...models.message_page import MessagePage
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    external_id: str,
    *,
    box: ListServerUserMessagesBox | Unset = "inbox",
    unread: bool | ListServerUserMessagesUnreadType1 | None | Unset = UNSET,
    page: int | None | Unset = UNSET,
    per_page: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
    q: None | str | Unset = UNSET,
    from_: None | str | Unset = UNSET,
    to: None | str | Unset = UNSET,
    after: datetime.datetime | None | Unset = UNSET,
    before: datetime.datetime | None | Unset = UNSET,
    thread: int | None | Unset = UNSET,
    context: None | str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_box: str | Unset = UNSET
    if not isinstance(box, Unset):
        json_box = box

    params["box"] = json_box

    json_unread: bool | None | str | Unset
    if isinstance(unread, Unset):
        json_unread = UNSET
    elif isinstance(unread, str):
        json_unread = unread
    else:
        json_unread = unread
    params["unread"] = json_unread

    json_page: int | None | Unset
    if isinstance(page, Unset):
        json_page = UNSET
    else:
        json_page = page
    params["page"] = json_page

    params["per_page"] = per_page

    json_cursor: None | str | Unset
    if isinstance(cursor, Unset):
        json_cursor = UNSET
    else:
        json_cursor = cursor
    params["cursor"] = json_cursor

    json_q: None | str | Unset
    if isinstance(q, Unset):
        json_q = UNSET
    else:
        json_q = q
    params["q"] = json_q

    json_from_: None | str | Unset
    if isinstance(from_, Unset):
        json_from_ = UNSET
    else:
        json_from_ = from_
    params["from"] = json_from_

    json_to: None | str | Unset
    if isinstance(to, Unset):
        json_to = UNSET
    else:
        json_to = to
    params["to"] = json_to

    json_after: None | str | Unset
    if isinstance(after, Unset):
        json_after = UNSET
    elif isinstance(after, datetime.datetime):
        json_after = after.isoformat()
    else:
        json_after = after
    params["after"] = json_after

    json_before: None | str | Unset
    if isinstance(before, Unset):
        json_before = UNSET
    elif isinstance(before, datetime.datetime):
        json_before = before.isoformat()
    else:
        json_before = before
    params["before"] = json_before

    json_thread: int | None | Unset
    if isinstance(thread, Unset):
        json_thread = UNSET
    else:
        json_thread = thread
    params["thread"] = json_thread

    json_context: None | str | Unset
    if isinstance(context, Unset):
        json_context = UNSET
    else:
        json_context = context
    params["context"] = json_context

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/server/users/{external_id}/messages".format(
            external_id=quote(str(external_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> MessagePage | Problem | None:
    if response.status_code == 200:
        response_200 = MessagePage.from_dict(response.json())

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
) -> Response[MessagePage | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    external_id: str,
    *,
    client: AuthenticatedClient,
    box: ListServerUserMessagesBox | Unset = "inbox",
    unread: bool | ListServerUserMessagesUnreadType1 | None | Unset = UNSET,
    page: int | None | Unset = UNSET,
    per_page: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
    q: None | str | Unset = UNSET,
    from_: None | str | Unset = UNSET,
    to: None | str | Unset = UNSET,
    after: datetime.datetime | None | Unset = UNSET,
    before: datetime.datetime | None | Unset = UNSET,
    thread: int | None | Unset = UNSET,
    context: None | str | Unset = UNSET,
) -> Response[MessagePage | Problem]:
    """List Server User Messages

     A page of the user's inbox, sent box or trash, exactly as the user's own list
    (`GET /users/{username}/messages`) answers it: the same filters, paging and cursors.
    Every read is recorded in the audit trail (`GET /server/audit`) before it is made;
    a query refused (400, 422) is not a read. 404 `user_not_found` for an external id no
    user has.

    Args:
        external_id (str): The host application's own id for the user: 1 to 128 letters, digits or
            `_ . : @ | + = -`.
        box (ListServerUserMessagesBox | Unset): Which mailbox. Default: 'inbox'.
        unread (bool | ListServerUserMessagesUnreadType1 | None | Unset): Inbox only: `true`
            unread, `false` read (`"true"` works too).
        page (int | None | Unset):
        per_page (int | Unset):  Default: 20.
        cursor (None | str | Unset): `next_cursor` of the previous page.
        q (None | str | Unset): Full-text search of subject and body: words (all must match), "a
            phrase", `pref*` for a prefix.
        from_ (None | str | Unset): Sent by.
        to (None | str | Unset): Sent to.
        after (datetime.datetime | None | Unset): Sent after (ISO 8601; UTC).
        before (datetime.datetime | None | Unset): Sent before.
        thread (int | None | Unset): In this thread.
        context (None | str | Unset): About this context ref.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[MessagePage | Problem]
    """

    kwargs = _get_kwargs(
        external_id=external_id,
        box=box,
        unread=unread,
        page=page,
        per_page=per_page,
        cursor=cursor,
        q=q,
        from_=from_,
        to=to,
        after=after,
        before=before,
        thread=thread,
        context=context,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    external_id: str,
    *,
    client: AuthenticatedClient,
    box: ListServerUserMessagesBox | Unset = "inbox",
    unread: bool | ListServerUserMessagesUnreadType1 | None | Unset = UNSET,
    page: int | None | Unset = UNSET,
    per_page: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
    q: None | str | Unset = UNSET,
    from_: None | str | Unset = UNSET,
    to: None | str | Unset = UNSET,
    after: datetime.datetime | None | Unset = UNSET,
    before: datetime.datetime | None | Unset = UNSET,
    thread: int | None | Unset = UNSET,
    context: None | str | Unset = UNSET,
) -> MessagePage | Problem | None:
    """List Server User Messages

     A page of the user's inbox, sent box or trash, exactly as the user's own list
    (`GET /users/{username}/messages`) answers it: the same filters, paging and cursors.
    Every read is recorded in the audit trail (`GET /server/audit`) before it is made;
    a query refused (400, 422) is not a read. 404 `user_not_found` for an external id no
    user has.

    Args:
        external_id (str): The host application's own id for the user: 1 to 128 letters, digits or
            `_ . : @ | + = -`.
        box (ListServerUserMessagesBox | Unset): Which mailbox. Default: 'inbox'.
        unread (bool | ListServerUserMessagesUnreadType1 | None | Unset): Inbox only: `true`
            unread, `false` read (`"true"` works too).
        page (int | None | Unset):
        per_page (int | Unset):  Default: 20.
        cursor (None | str | Unset): `next_cursor` of the previous page.
        q (None | str | Unset): Full-text search of subject and body: words (all must match), "a
            phrase", `pref*` for a prefix.
        from_ (None | str | Unset): Sent by.
        to (None | str | Unset): Sent to.
        after (datetime.datetime | None | Unset): Sent after (ISO 8601; UTC).
        before (datetime.datetime | None | Unset): Sent before.
        thread (int | None | Unset): In this thread.
        context (None | str | Unset): About this context ref.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        MessagePage | Problem
    """

    return sync_detailed(
        external_id=external_id,
        client=client,
        box=box,
        unread=unread,
        page=page,
        per_page=per_page,
        cursor=cursor,
        q=q,
        from_=from_,
        to=to,
        after=after,
        before=before,
        thread=thread,
        context=context,
    ).parsed


async def asyncio_detailed(
    external_id: str,
    *,
    client: AuthenticatedClient,
    box: ListServerUserMessagesBox | Unset = "inbox",
    unread: bool | ListServerUserMessagesUnreadType1 | None | Unset = UNSET,
    page: int | None | Unset = UNSET,
    per_page: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
    q: None | str | Unset = UNSET,
    from_: None | str | Unset = UNSET,
    to: None | str | Unset = UNSET,
    after: datetime.datetime | None | Unset = UNSET,
    before: datetime.datetime | None | Unset = UNSET,
    thread: int | None | Unset = UNSET,
    context: None | str | Unset = UNSET,
) -> Response[MessagePage | Problem]:
    """List Server User Messages

     A page of the user's inbox, sent box or trash, exactly as the user's own list
    (`GET /users/{username}/messages`) answers it: the same filters, paging and cursors.
    Every read is recorded in the audit trail (`GET /server/audit`) before it is made;
    a query refused (400, 422) is not a read. 404 `user_not_found` for an external id no
    user has.

    Args:
        external_id (str): The host application's own id for the user: 1 to 128 letters, digits or
            `_ . : @ | + = -`.
        box (ListServerUserMessagesBox | Unset): Which mailbox. Default: 'inbox'.
        unread (bool | ListServerUserMessagesUnreadType1 | None | Unset): Inbox only: `true`
            unread, `false` read (`"true"` works too).
        page (int | None | Unset):
        per_page (int | Unset):  Default: 20.
        cursor (None | str | Unset): `next_cursor` of the previous page.
        q (None | str | Unset): Full-text search of subject and body: words (all must match), "a
            phrase", `pref*` for a prefix.
        from_ (None | str | Unset): Sent by.
        to (None | str | Unset): Sent to.
        after (datetime.datetime | None | Unset): Sent after (ISO 8601; UTC).
        before (datetime.datetime | None | Unset): Sent before.
        thread (int | None | Unset): In this thread.
        context (None | str | Unset): About this context ref.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[MessagePage | Problem]
    """

    kwargs = _get_kwargs(
        external_id=external_id,
        box=box,
        unread=unread,
        page=page,
        per_page=per_page,
        cursor=cursor,
        q=q,
        from_=from_,
        to=to,
        after=after,
        before=before,
        thread=thread,
        context=context,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    external_id: str,
    *,
    client: AuthenticatedClient,
    box: ListServerUserMessagesBox | Unset = "inbox",
    unread: bool | ListServerUserMessagesUnreadType1 | None | Unset = UNSET,
    page: int | None | Unset = UNSET,
    per_page: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
    q: None | str | Unset = UNSET,
    from_: None | str | Unset = UNSET,
    to: None | str | Unset = UNSET,
    after: datetime.datetime | None | Unset = UNSET,
    before: datetime.datetime | None | Unset = UNSET,
    thread: int | None | Unset = UNSET,
    context: None | str | Unset = UNSET,
) -> MessagePage | Problem | None:
    """List Server User Messages

     A page of the user's inbox, sent box or trash, exactly as the user's own list
    (`GET /users/{username}/messages`) answers it: the same filters, paging and cursors.
    Every read is recorded in the audit trail (`GET /server/audit`) before it is made;
    a query refused (400, 422) is not a read. 404 `user_not_found` for an external id no
    user has.

    Args:
        external_id (str): The host application's own id for the user: 1 to 128 letters, digits or
            `_ . : @ | + = -`.
        box (ListServerUserMessagesBox | Unset): Which mailbox. Default: 'inbox'.
        unread (bool | ListServerUserMessagesUnreadType1 | None | Unset): Inbox only: `true`
            unread, `false` read (`"true"` works too).
        page (int | None | Unset):
        per_page (int | Unset):  Default: 20.
        cursor (None | str | Unset): `next_cursor` of the previous page.
        q (None | str | Unset): Full-text search of subject and body: words (all must match), "a
            phrase", `pref*` for a prefix.
        from_ (None | str | Unset): Sent by.
        to (None | str | Unset): Sent to.
        after (datetime.datetime | None | Unset): Sent after (ISO 8601; UTC).
        before (datetime.datetime | None | Unset): Sent before.
        thread (int | None | Unset): In this thread.
        context (None | str | Unset): About this context ref.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        MessagePage | Problem
    """

    return (
        await asyncio_detailed(
            external_id=external_id,
            client=client,
            box=box,
            unread=unread,
            page=page,
            per_page=per_page,
            cursor=cursor,
            q=q,
            from_=from_,
            to=to,
            after=after,
            before=before,
            thread=thread,
            context=context,
        )
    ).parsed
