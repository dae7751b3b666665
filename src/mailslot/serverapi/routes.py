"""The server API's own routes: the key itself."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from mailslot.keys.scopes import Scope
from mailslot.openapi import problems
from mailslot.serverapi.deps import ServerKey

router = APIRouter(tags=["server"])


class KeyRead(BaseModel):
    name: str
    scopes: list[Scope]


@router.get("/server/key", responses=problems(401, 429))
async def get_server_key(key: ServerKey) -> KeyRead:
    """The key of this request: its name and scopes. A host's health check can call it to
    learn that its key works and what it may do."""
    return KeyRead(name=key.name, scopes=[scope for scope in Scope if scope in key.scopes])
