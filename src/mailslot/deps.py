"""What handlers receive, as Annotated aliases: the session, the settings, the request
budgets and the client address (the account dependencies are in accounts/deps.py).

Every dependency is `async def`, even those that never await: FastAPI runs a plain `def`
dependency in a worker thread, a thread hop per request for a dictionary lookup."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from mailslot.config import Settings
from mailslot.ratelimit import RateLimits


async def _db_session(request: Request) -> AsyncIterator[AsyncSession]:
    # Entry points own the transaction: handlers commit; whatever is left rolls back here.
    async with request.app.state.session_factory() as session:
        yield session


async def _session_factory(request: Request) -> async_sessionmaker[AsyncSession]:
    sessions: async_sessionmaker[AsyncSession] = request.app.state.session_factory
    return sessions


async def _read_engine(request: Request) -> AsyncEngine:
    engine: AsyncEngine = request.app.state.read_engine
    return engine


async def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


class Budgets:
    """The request budgets, by what they count. Every door that registers or sends spends
    the same bucket (the native API and seed A alike): 429 with `Retry-After` once it is
    spent, nothing with MAILSLOT_RATE_LIMITS=off."""

    __slots__ = ("_limits", "_settings")

    def __init__(self, limits: RateLimits, settings: Settings) -> None:
        self._limits, self._settings = limits, settings

    async def register(self, client: str) -> None:
        """One registration from the client address `client` (before its password is
        hashed: refused sign-ups cost no argon2)."""
        await self._limits.spend(
            "register",
            client,
            self._settings.limit_register_address,
            what="registrations from this address",
        )

    async def send(self, sender: int) -> None:
        """One message sent by the user whose id is `sender`."""
        await self._limits.spend(
            "send", str(sender), self._settings.limit_send_user, what="messages sent"
        )


async def _budgets(request: Request) -> Budgets:
    return Budgets(request.app.state.limits, request.app.state.settings)


async def client_address(request: Request) -> str:
    return request.client.host if request.client else "-"


DbSession = Annotated[AsyncSession, Depends(_db_session)]
# For handlers that never write (db/engine.py `read_only`: no transaction round trips).
# They check a connection out for just as long as they read (`async with reads.connect()
# as db`): no dependency with cleanup for FastAPI to solve on every request, and the
# connection is back in the pool before the response is built and sent.
Reads = Annotated[AsyncEngine, Depends(_read_engine)]
# For a handler that opens its session itself (`async with sessions() as db`): one that
# reads first and writes only sometimes, or the hottest write (sending). A context in the
# handler costs none of the exit stack FastAPI keeps for a dependency with cleanup.
Sessions = Annotated[async_sessionmaker[AsyncSession], Depends(_session_factory)]
AppSettings = Annotated[Settings, Depends(_settings)]
RequestBudgets = Annotated[Budgets, Depends(_budgets)]
ClientAddress = Annotated[str, Depends(client_address)]


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
