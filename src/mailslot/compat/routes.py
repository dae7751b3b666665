"""Seed A's query-string API, exactly as its README writes it: `//signup`, `//login`,
`//logout`, `//message` and `//messages`, credentials in the query string."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy.ext.asyncio import AsyncSession

from mailslot.accounts import service as accounts
from mailslot.accounts.deps import PasswordHasher, SessionDigests
from mailslot.accounts.schemas import Password, Username
from mailslot.accounts.service import Account
from mailslot.compat import service
from mailslot.compat.schemas import SeedADeletion, SeedAMessage, SeedAMessageBody, SeedASession
from mailslot.compat.timestamps import format_rfc1123
from mailslot.deps import ClientAddress, DbSession, RequestBudgets, State
from mailslot.errors import CredentialsMissing, NoUnreadMessage, UnknownRequest
from mailslot.logs import acting_user
from mailslot.messages.views import MessageView
from mailslot.openapi import JSON_BODY, problems
from mailslot.webhooks.sendhook import Outgoing, SendHook

# Every route here reaches the database, which may be unavailable (503).
router = APIRouter(tags=["seed A (deprecated)"], deprecated=True, responses=problems(503))

Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])

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


async def _credentials(
    client: ClientAddress,
    username: Annotated[str | None, Query(max_length=64, description="Your username.")] = None,
    password: Annotated[str | None, Query(max_length=1024, description="Your password.")] = None,
) -> service.Credentials:
    if not username or not password:
        raise CredentialsMissing(
            "Give your credentials in the query string: ?username=<username>&password=<password>."
        )
    return service.Credentials(username, password, client)


QueryCredentials = Annotated[service.Credentials, Depends(_credentials)]


async def _signed_in_user(
    credentials: QueryCredentials,
    db: DbSession,
    passwords: PasswordHasher,
    digests: SessionDigests,
) -> Account:
    user = await service.signed_in_user(db, passwords, digests, credentials)
    acting_user(user.id)
    return user


# Valid credentials and a started session: 401 `credentials_missing`,
# `invalid_credentials` or `session_not_started` otherwise.
SignedInUser = Annotated[Account, Depends(_signed_in_user)]


class Operation:
    """The `request=` parameter of an address, as a dependency that runs before the
    credentials are checked: a request nobody can serve costs no password check. A missing
    or unknown value gets 400 `unknown_request` naming the values the address takes."""

    def __init__(self, method: str, path: str, *allowed: str) -> None:
        self.method, self.path, self.allowed = method, path, allowed

    async def __call__(
        self,
        request: Annotated[
            str | None, Query(description="What to do; the operation says which values.")
        ] = None,
    ) -> str:
        if request in self.allowed:
            return request
        choices = " or ".join(f"request={name}" for name in self.allowed)
        said = "no request=" if request is None else f"request={request!r}"
        raise UnknownRequest(
            f"{self.method} {self.path} takes {choices}; this one has {said}.",
            errors=[
                {
                    "pointer": "/query/request",
                    "detail": f"must be one of {', '.join(self.allowed)}",
                }
            ],
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
async def seed_a_post_signup(
    username: Annotated[Username, Query()],
    password: Annotated[Password, Query()],
    db: DbSession,
    passwords: PasswordHasher,
    budgets: RequestBudgets,
    client: ClientAddress,
) -> SeedASession:
    """Register. The account is the same on the native API; it has no email address until
    you set one with `PATCH /users/{username}`. Then start a session with `//login`.
    Registrations from one address share `POST /users`'s budget (429 with `Retry-After`)."""
    passwords.require_policy(password, pointer="/query/password")
    await budgets.register(client)
    user = await accounts.register_user(
        db, passwords, username=username, email=None, password=password
    )
    await db.commit()
    return SeedASession(username=user.username, logged_in=False)


@seed_a_route("POST", "//login", responses=problems(401, 422, 429))
async def seed_a_post_login(
    credentials: QueryCredentials,
    db: DbSession,
    passwords: PasswordHasher,
    digests: SessionDigests,
) -> SeedASession:
    """Start a session: message requests need one, besides the credentials."""
    user = await service.log_in(db, passwords, digests, credentials)
    acting_user(user.id)
    await db.commit()
    return SeedASession(username=user.username, logged_in=True)


@seed_a_route("POST", "//logout", responses=problems(401, 422, 429))
async def seed_a_post_logout(
    credentials: QueryCredentials,
    db: DbSession,
    passwords: PasswordHasher,
    digests: SessionDigests,
) -> SeedASession:
    """End the session. Message requests get 401 `session_not_started` until the next
    `//login`."""
    user = await service.log_out(db, passwords, digests, credentials)
    acting_user(user.id)
    await db.commit()
    return SeedASession(username=user.username, logged_in=False)


@seed_a_route(
    "POST",
    "//message",
    responses={
        201: {"model": SeedAMessage, "description": "`request=write`: the message, stored"},
        **problems(401, 403, 404, 429, *JSON_BODY),
    },
)
async def seed_a_post_message(
    request: Annotated[str, Depends(Operation("POST", "//message", "write", "delete"))],
    user: SignedInUser,
    body: SeedAMessageBody,
    response: Response,
    db: DbSession,
    state: State,
) -> SeedAMessage | SeedADeletion:
    """`request=write` sends the message (201): `sender` must be you, `receiver` a
    registered user, `timestamp` an RFC 1123 date, kept as written.

    `request=delete` deletes the message the JSON describes (200): as its sender, for
    everyone; as its receiver, from your inbox; anyone else gets 403 `not_your_message`.
    When several messages match, the oldest goes; add the `id` an answer gave to pick one.

    Writing spends the sender's send budget, shared with `POST /users/{username}/messages`
    (429 with `Retry-After`), and the budgets against abuse too. The messaging policy
    may refuse it (403 `policy_denied`). Where the operator set up a pre-send hook, it
    may refuse the message (403 `policy_denied`) or change its subject and message; 503
    `send_hook_unavailable` when it failed and unvetted messages are not sent."""
    if request == "write":
        await state.limits.send(user.id)
        if state.send_hook is not None:
            body = await vet_write(state.send_hook, db, user, body)
        gate = await state.policy.gate(db, state.limits)
        view = await service.write_message(db, user=user, body=body, gate=gate)
        await db.commit()
        response.status_code = 201
        return seed_a_message(view, viewer=user)
    view, deleted_for = await service.delete_message(db, user=user, body=body)
    await db.commit()
    return SeedADeletion(deleted=seed_a_message(view, viewer=user), deleted_for=deleted_for)


async def vet_write(
    hook: SendHook, db: AsyncSession, user: Account, body: SeedAMessageBody
) -> SeedAMessageBody:
    """The message as the pre-send hook lets it through (it raises PolicyDenied or
    SendHookUnavailable). The sign-in's transaction ends first (its writes would commit
    with the send anyway): no connection waits on the host."""
    service.check_write(user=user, body=body)
    await db.commit()
    vetted = await hook.vet(
        Outgoing(
            door="seed_a",
            sender=user.username,
            receivers=[body.receiver],
            subject=body.subject,
            body=body.message,
        )
    )
    return body.model_copy(update={"subject": vetted.subject, "message": vetted.body})


@seed_a_route("GET", "//message", responses=problems(400, 401, 404, 422, 429))
async def seed_a_get_message(
    request: Annotated[str, Depends(Operation("GET", "//message", "read"))],
    user: SignedInUser,
    db: DbSession,
) -> SeedAMessage:
    """`request=read`: your oldest unread received message, now marked read. When every
    message is read, 404 `no_unread_message`."""
    view = await service.read_oldest_unread(db, user=user)
    if view is None:
        raise NoUnreadMessage("You have no unread messages.")
    await db.commit()
    return seed_a_message(view, viewer=user)


@seed_a_route("GET", "//messages", responses=problems(400, 401, 422, 429))
async def seed_a_list_messages(
    request: Annotated[str, Depends(Operation("GET", "//messages", "get_all", "get_all_unread"))],
    user: SignedInUser,
    response: Response,
    db: DbSession,
) -> list[SeedAMessage]:
    """`request=get_all`: the messages you received and sent, newest first.
    `request=get_all_unread`: your unread received messages, newest first (none is marked
    read). At most the newest 1000; when more exist, the answer carries
    `Mailslot-Truncated: true` and the native API pages through them all."""
    if request == "get_all":
        views, more = await service.list_all(db, user=user)
    else:
        views, more = await service.list_unread(db, user=user)
    if more:
        response.headers["Mailslot-Truncated"] = "true"
    return [seed_a_message(view, viewer=user) for view in views]
