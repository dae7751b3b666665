"""What handlers receive, as Annotated aliases over the app's one AppState (state.py):
the state itself, the database handles, the settings, the request budgets and the client
address (the account dependencies are in accounts/deps.py).

A database handle, by what the handler does with it:

    Reads      only reads: `async with reads.connect() as db`, an engine without
               transactions (db/engine.py `read_only`), back in the pool before the
               response is built
    Sessions   writes: `async with sessions() as db`, opened and committed in the handler
    DbSession  a session a dependency shares with its handler (seed A's signed-in user is
               checked in the session the handler then writes in); rolled back and closed
               after the response. Handlers written before this table still take it to
               write; a new one takes Sessions unless a dependency needs the session.

Every dependency is `async def`, even those that never await: FastAPI runs a plain `def`
dependency in a worker thread, a thread hop per request for an attribute lookup."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.requests import HTTPConnection

from mailslot.config import Settings
from mailslot.ratelimit import RateLimits
from mailslot.state import AppState, app_state

Part = TypeVar("Part")


async def _state(connection: HTTPConnection) -> AppState:
    return app_state(connection.app)


def state_part(part: Callable[[AppState], Part]) -> Callable[[Request], Awaitable[Part]]:
    """A dependency answering one part of the AppState. It reads `app.state` directly:
    through `State` it would be one more dependency for FastAPI to solve per request."""

    async def dependency(request: Request) -> Part:
        return part(request.app.state.mailslot)

    return dependency


async def _db_session(request: Request) -> AsyncIterator[AsyncSession]:
    # Entry points own the transaction: handlers commit; whatever is left rolls back here.
    async with request.app.state.mailslot.sessions() as session:
        yield session


async def _client_address(request: Request) -> str | None:
    client = request.client
    return client.host if client else None


State = Annotated[AppState, Depends(_state)]
DbSession = Annotated[AsyncSession, Depends(_db_session)]
Reads = Annotated[AsyncEngine, Depends(state_part(lambda state: state.reads))]
Sessions = Annotated[
    async_sessionmaker[AsyncSession], Depends(state_part(lambda state: state.sessions))
]
AppSettings = Annotated[Settings, Depends(state_part(lambda state: state.settings))]
RequestBudgets = Annotated[RateLimits, Depends(state_part(lambda state: state.limits))]
# None when the server knows no address (a UNIX socket without a proxy's forwarded
# headers): then the sign-in throttle counts the account's failures alone.
ClientAddress = Annotated[str | None, Depends(_client_address)]


QueryModel = TypeVar("QueryModel", bound=BaseModel)


def query_model(model: type[QueryModel]) -> Callable[[Request], Awaitable[QueryModel]]:
    """A dependency that validates the query string as one model. FastAPI checks each
    declared query parameter on its own, introspecting its annotation on every request:
    some 1,100 Python calls for a listing's eleven, more than its database call (bench/
    README.md). Invalid input is the same 422, located at ("query", name). Document the
    parameters with `openapi_extra=query_parameters(model)`."""

    async def parse(request: Request) -> QueryModel:
        try:
            return model.model_validate(request.query_params)
        except ValidationError as exc:
            raise RequestValidationError(
                [{**error, "loc": ("query", *error["loc"])} for error in exc.errors()]
            ) from None

    return parse


def query_parameters(model: type[BaseModel]) -> dict[str, Any]:
    """`openapi_extra` for a route that reads `model` with `query_model`: its fields as
    optional query parameters, as FastAPI would have declared them."""
    schema = model.model_json_schema(by_alias=True)
    return {
        "parameters": [
            {
                "name": name,
                "in": "query",
                "required": name in schema.get("required", ()),
                "schema": field,
                **({"description": field["description"]} if "description" in field else {}),
            }
            for name, field in schema["properties"].items()
        ]
    }
