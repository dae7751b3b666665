"""Incremental sync, stream tickets, and the SSE and WebSocket streams: thin adapters over
the change log and streams.pump."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from functools import partial
from typing import Annotated

import anyio
from fastapi import APIRouter, Header, Query, WebSocket, WebSocketDisconnect
from sqlalchemy.exc import SQLAlchemyError
from starlette.datastructures import Headers

from mailslot import metrics
from mailslot.accounts import service as accounts
from mailslot.accounts.deps import BearerToken, CurrentUserAnyScope, require_self, require_token
from mailslot.accounts.service import Grant
from mailslot.bus.events import Event
from mailslot.db.base import utcnow
from mailslot.deps import AppSettings, DbSession, State
from mailslot.errors import (
    AppError,
    Code,
    InvalidParameter,
    InvalidTicket,
    InvalidToken,
    Unauthenticated,
)
from mailslot.logs import acting_user
from mailslot.openapi import problems
from mailslot.realtime.deferred import defer
from mailslot.realtime.schemas import StreamTicketRead
from mailslot.realtime.sse import EventStreamResponse, SendEvent, Write
from mailslot.realtime.streams import ClientGone, Ending, EventStream, open_stream, pump
from mailslot.state import AppState

# Every route here reaches the database, which may be unavailable (503).
router = APIRouter(tags=["live"], responses=problems(503))

Ticket = Annotated[
    str | None,
    Query(max_length=128, description="A ticket from POST /users/{username}/stream-tickets."),
]

# How a WebSocket stream ends, by why: style.md §5 (4000 + status), RFC 6455 §7.4.1.
WS_CLOSE: dict[Ending, tuple[int, Code] | None] = {
    "closed": None,
    "too_slow": (1008, Code.TOO_SLOW),
    "signed_out": (4401, Code.INVALID_TOKEN),
    "expired": (4401, Code.INVALID_TOKEN),
    "resync_required": (4410, Code.RESYNC_REQUIRED),
    "unavailable": (1013, Code.TRY_AGAIN_LATER),
    "restart": (1012, Code.SERVICE_RESTART),
}


@router.post("/users/{username}/stream-tickets", status_code=201, responses=problems(401, 403))
async def post_stream_ticket(
    username: str,
    user: CurrentUserAnyScope,
    token: BearerToken,
    db: DbSession,
    settings: AppSettings,
) -> StreamTicketRead:
    """A single-use ticket for `EventSource` and `WebSocket`, which cannot send headers:
    pass it as `?ticket=` within `expires_in` seconds. It keeps your bearer token out of
    URLs and logs, works on any instance, and dies when you sign out."""
    require_self(user, username)
    ticket = await accounts.issue_stream_ticket(
        db, require_token(token), ttl=settings.stream_ticket_ttl
    )
    await db.commit()
    return StreamTicketRead(ticket=ticket, expires_in=settings.stream_ticket_ttl)


@router.get(
    "/users/{username}/events",
    responses={
        200: {
            "description": "An event stream: `id:` the sequence number, `event:` the type, "
            "`data:` the envelope (as in /changes); a `: ping` comment every 15 s.",
            "content": {"text/event-stream": {}},
        },
        **problems(400, 401, 403, 410, 422, 429),
    },
)
async def get_events(
    state: State,
    username: str,
    token: BearerToken,
    ticket: Ticket = None,
    since: Annotated[
        int | None,
        Query(ge=0, le=2**63 - 1, description="Replay the changes after this one first."),
    ] = None,
    last_event_id: Annotated[
        str | None, Header(alias="Last-Event-ID", description="Set by EventSource on reconnect.")
    ] = None,
) -> EventStreamResponse:
    """Server-Sent Events: your changes as they commit. Authenticate with the bearer
    header, or (EventSource) with `?ticket=`. Without `since` the stream starts now;
    with it, or with `Last-Event-ID`, it first replays what came after, then goes live,
    with no gap and no duplicate. You may have a limited number of streams open at once
    (20 unless the operator says otherwise; this and /ws together): one more is refused
    with 429 `too_many_streams`."""
    if last_event_id is not None:
        since = _sequence(last_event_id, "Last-Event-ID")
    grant = await _authorise(state, username, token=token, ticket=ticket)

    def opener() -> AbstractAsyncContextManager[EventStream]:
        return _open_stream(state, grant.user.id, since=since)

    async def runner(
        stream: EventStream, opening: Write, send: SendEvent, wait_closed: Write
    ) -> Ending:
        return await _pump(state, grant, stream, "sse", send, wait_closed, opening)

    return EventStreamResponse(opener, runner)


@router.websocket("/users/{username}/ws")
async def websocket_events(websocket: WebSocket, username: str, state: State) -> None:
    """WebSocket: the same events as /events, one JSON envelope per text frame. Refusals
    close with 4000 + the HTTP status (4401, 4403, 4410, 4429) and the problem code as
    reason."""
    # Run once FastAPI has returned (realtime/deferred.py): an idle session holds none
    # of its frames.
    defer(websocket.scope, partial(_websocket_session, state, websocket, username))


async def _websocket_session(state: AppState, websocket: WebSocket, username: str) -> None:
    accepted = False
    try:
        since_text = websocket.query_params.get("since")
        since = None if since_text is None else _sequence(since_text, "since")
        grant = await _authorise(
            state,
            username,
            token=_bearer(websocket.headers),
            ticket=websocket.query_params.get("ticket"),
        )
        async with _open_stream(state, grant.user.id, since=since) as s:
            await websocket.accept()
            accepted = True

            async def send(event: Event | None) -> None:
                if event is not None:  # heartbeats are the server's WebSocket pings
                    try:
                        await websocket.send_text(event.envelope_json())
                    except WebSocketDisconnect:
                        raise ClientGone from None

            async def wait_closed() -> None:
                while (await websocket.receive())["type"] != "websocket.disconnect":
                    pass  # clients have nothing to say

            ending = await _pump(state, grant, s, "websocket", send, wait_closed)
        close = WS_CLOSE[ending]
    except AppError as exc:
        close = (4000 + exc.status, exc.code)
    except (SQLAlchemyError, OSError):
        close = (1013, Code.TRY_AGAIN_LATER)
    if close is None:
        return
    # The client may be gone already: then there is nobody to tell.
    with anyio.move_on_after(1), suppress(WebSocketDisconnect, RuntimeError, OSError):
        if not accepted:
            await websocket.accept()  # a close before accept would be a bare HTTP 403
        await websocket.close(*close)


async def _authorise(
    state: AppState, username: str, *, token: str | None, ticket: str | None
) -> Grant:
    """The grant behind a bearer token or a ticket (used up here), in a session that is
    closed before the stream starts: an idle stream holds no database connection."""
    async with state.sessions() as db:
        if token:
            grant = await accounts.find_token_grant(db, require_token(token))
            if grant is None:
                raise InvalidToken("The token is unknown, expired or signed out.")
        elif ticket:
            grant = await accounts.redeem_stream_ticket(db, ticket)
            await db.commit()
            if grant is None:
                raise InvalidTicket(
                    "The ticket is unknown, used or expired: get a new one with "
                    f"POST /users/{username}/stream-tickets."
                )
        else:
            raise Unauthenticated(
                "Send 'Authorization: Bearer <token>', or '?ticket=' from "
                f"POST /users/{username}/stream-tickets."
            )
    require_self(grant.user, username)
    acting_user(grant.user.id)
    return grant


@asynccontextmanager
async def _open_stream(
    state: AppState, user_id: int, *, since: int | None
) -> AsyncIterator[EventStream]:
    """The user's stream, in one of their stream slots (TooManyStreams when none is free),
    taken before the change log is read."""
    async with (
        state.stream_slots.hold(user_id),
        open_stream(state.broker, state.change_log, user_id, since=since) as stream,
    ):
        yield stream


async def _pump(
    state: AppState,
    grant: Grant,
    stream: EventStream,
    transport: str,
    send: SendEvent,
    wait_closed: Write,
    opening: Write | None = None,
) -> Ending:
    settings = state.settings

    async def still_signed_in() -> bool:
        async with state.sessions() as db:
            return await accounts.grant_is_live(db, grant)

    async def metered_send(event: Event | None) -> None:
        await send(event)
        if event is not None:
            metrics.delivered(transport, event.committed_at)

    metrics.LIVE_OPENED.labels(transport).inc()
    metrics.LIVE_CONNECTIONS.labels(transport).inc()
    ending: Ending = "closed"  # if cancelled
    try:
        ending = await pump(
            stream,
            send=metered_send,
            wait_closed=wait_closed,
            still_signed_in=still_signed_in,
            heartbeat=settings.stream_heartbeat,
            send_timeout=settings.stream_send_timeout,
            expires_in=(grant.expires_at - utcnow()).total_seconds(),
            stop=state.draining,
            opening=opening,
        )
    finally:
        metrics.LIVE_CONNECTIONS.labels(transport).dec()
        metrics.LIVE_CLOSED.labels(transport, ending).inc()
    return ending


def _sequence(text: str, name: str) -> int:
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise InvalidParameter(f"'{name}' must be a change sequence number.")
    return int(text)


def _bearer(headers: Headers) -> str | None:
    scheme, _, credentials = headers.get("authorization", "").partition(" ")
    return credentials.strip() or None if scheme.lower() == "bearer" else None
