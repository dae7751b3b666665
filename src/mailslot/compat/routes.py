"""Seed A's query-string API, exactly as its README writes it: `//signup`, `//login`,
`//logout`, `//message` and `//messages`, credentials in the query string."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Query, Response

from mailslot.accounts import service as accounts
from mailslot.accounts.schemas import Password, Username
from mailslot.accounts.service import Account
from mailslot.compat import service
from mailslot.compat.schemas import SeedADeletion, SeedAMessage, SeedAMessageBody, SeedASession
from mailslot.compat.timestamps import format_rfc1123
from mailslot.deps import DbSession, PasswordHasher, SessionDigests
from mailslot.errors import NoUnreadMessage, UnknownRequest, problems
from mailslot.messages import service as messages
from mailslot.messages.service import MessageView

router = APIRouter(tags=["seed A (deprecated)"], deprecated=True)

Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])

QueryUsername = Annotated[str | None, Query(max_length=64, description="Your username.")]
QueryPassword = Annotated[str | None, Query(max_length=1024, description="Your password.")]

ALIAS_NOTE = (
    "\n\nAlso answered at the single-slash address, for clients and proxies that merge slashes."
)


def seed_a_route(method: str, path: str, **options: Any) -> Callable[[Endpoint], Endpoint]:
    """Register an endpoint at seed A's documented `//name` address and, left out of the
    schema but described there, at `/name`: nginx (`merge_slashes on`) and some client
    libraries turn `//` into `/` before we see it."""

    def register(endpoint: Endpoint) -> Endpoint:
        description = (endpoint.__doc__ or "").strip() + ALIAS_NOTE
        router.add_api_route(path, endpoint, methods=[method], description=description, **options)
        router.add_api_route(
            path[1:], endpoint, methods=[method], include_in_schema=False, **options
        )
        return endpoint

    return register


def _require_request(value: str | None, *, method: str, path: str, allowed: tuple[str, ...]) -> str:
    if value in allowed:
        return value
    choices = " or ".join(f"request={name}" for name in allowed)
    said = "no request=" if value is None else f"request={value!r}"
    raise UnknownRequest(
        f"{method} {path} takes {choices}; this one has {said}.",
        errors=[{"pointer": "/query/request", "detail": f"must be one of {', '.join(allowed)}"}],
    )


def seed_a_message(view: MessageView, *, viewer: Account) -> SeedAMessage:
    return SeedAMessage(
        id=view.id,
        sender=view.sender,
        receiver=viewer.username if view.is_receiver else view.receivers[0],
        subject=view.subject,
        message=view.body,
        timestamp=view.client_timestamp or format_rfc1123(view.created_at),
    )


@seed_a_route("POST", "//signup", status_code=201, responses=problems(409, 422, 429))
async def post_signup(
    username: Annotated[Username, Query()],
    password: Annotated[Password, Query()],
    db: DbSession,
    passwords: PasswordHasher,
) -> SeedASession:
    """Register. The account is the same on the native API; it has no email address until
    you set one with `PATCH /users/{username}`. Then start a session with `//login`."""
    user = await accounts.register_user(
        db, passwords, username=username, email=None, password=password
    )
    await db.commit()
    return SeedASession(username=user.username, logged_in=False)


@seed_a_route("POST", "//login", responses=problems(401, 422, 429))
async def post_login(
    db: DbSession,
    passwords: PasswordHasher,
    digests: SessionDigests,
    username: QueryUsername = None,
    password: QueryPassword = None,
) -> SeedASession:
    """Start a session: message requests need one, besides the credentials."""
    user = await service.log_in(db, passwords, digests, username=username, password=password)
    await db.commit()
    return SeedASession(username=user.username, logged_in=True)


@seed_a_route("POST", "//logout", responses=problems(401, 422, 429))
async def post_logout(
    db: DbSession,
    passwords: PasswordHasher,
    digests: SessionDigests,
    username: QueryUsername = None,
    password: QueryPassword = None,
) -> SeedASession:
    """End the session. Message requests get 401 `session_not_started` until the next
    `//login`."""
    user = await service.log_out(db, passwords, digests, username=username, password=password)
    await db.commit()
    return SeedASession(username=user.username, logged_in=False)


@seed_a_route(
    "POST",
    "//message",
    responses={
        201: {"model": SeedAMessage, "description": "`request=write`: the message, stored"},
        **problems(400, 401, 403, 404, 413, 422, 429),
    },
)
async def post_message(
    body: SeedAMessageBody,
    response: Response,
    db: DbSession,
    passwords: PasswordHasher,
    digests: SessionDigests,
    username: QueryUsername = None,
    password: QueryPassword = None,
    request: Annotated[str | None, Query(description="`write` or `delete`.")] = None,
) -> SeedAMessage | SeedADeletion:
    """`request=write` sends the message (201): `sender` must be you, `receiver` a
    registered user, `timestamp` an RFC 1123 date, kept as written.

    `request=delete` deletes the message the JSON describes (200): as its sender, for
    everyone; as its receiver, from your inbox; anyone else gets 403 `not_your_message`.
    When several messages match, the oldest goes; add the `id` an answer gave to pick one."""
    operation = _require_request(
        request, method="POST", path="//message", allowed=("write", "delete")
    )
    user = await service.signed_in_user(
        db, passwords, digests, username=username, password=password
    )
    if operation == "write":
        view = await service.write_message(db, user=user, body=body)
        await db.commit()
        response.status_code = 201
        return seed_a_message(view, viewer=user)
    view, deleted_for = await service.delete_message(db, user=user, body=body)
    await db.commit()
    return SeedADeletion(deleted=seed_a_message(view, viewer=user), deleted_for=deleted_for)


@seed_a_route("GET", "//message", responses=problems(400, 401, 404, 422, 429))
async def get_message(
    db: DbSession,
    passwords: PasswordHasher,
    digests: SessionDigests,
    username: QueryUsername = None,
    password: QueryPassword = None,
    request: Annotated[str | None, Query(description="`read`.")] = None,
) -> SeedAMessage:
    """`request=read`: your oldest unread received message, now marked read. When every
    message is read, 404 `no_unread_message`."""
    _require_request(request, method="GET", path="//message", allowed=("read",))
    user = await service.signed_in_user(
        db, passwords, digests, username=username, password=password
    )
    view = await messages.read_oldest_unread(db, viewer=user)
    if view is None:
        raise NoUnreadMessage("You have no unread messages.")
    await db.commit()
    return seed_a_message(view, viewer=user)


@seed_a_route("GET", "//messages", responses=problems(400, 401, 422, 429))
async def list_messages(
    response: Response,
    db: DbSession,
    passwords: PasswordHasher,
    digests: SessionDigests,
    username: QueryUsername = None,
    password: QueryPassword = None,
    request: Annotated[str | None, Query(description="`get_all` or `get_all_unread`.")] = None,
) -> list[SeedAMessage]:
    """`request=get_all`: the messages you received and sent, newest first.
    `request=get_all_unread`: your unread received messages, newest first (none is marked
    read). At most the newest 1000; when more exist, the answer carries
    `Mailslot-Truncated: true` and the native API pages through them all."""
    operation = _require_request(
        request, method="GET", path="//messages", allowed=("get_all", "get_all_unread")
    )
    user = await service.signed_in_user(
        db, passwords, digests, username=username, password=password
    )
    if operation == "get_all":
        views, more = await service.list_all(db, user=user)
    else:
        views, more = await service.list_unread(db, user=user)
    if more:
        response.headers["Mailslot-Truncated"] = "true"
    return [seed_a_message(view, viewer=user) for view in views]
