"""AppState: what a running app holds, built once by create_app's lifespan (app.py).

Handlers receive its parts through the aliases of deps.py and accounts/deps.py, or the
whole through `State`; tests and scripts that hold the app call `app_state(app)`."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from mailslot.accounts.security import CredentialDigests, Passwords
from mailslot.accounts.tokencache import TokenCache
from mailslot.bus.broker import Broker
from mailslot.config import Settings
from mailslot.jobs.service import JobRunner
from mailslot.keys.grants import Grants
from mailslot.messages.changes import SessionChangeLog
from mailslot.messages.hostids import HostIds
from mailslot.messages.purge import Purger
from mailslot.policy.gate import PolicyMemory
from mailslot.ratelimit import RateLimits
from mailslot.realtime.slots import StreamSlots
from mailslot.shutdown import Shutdown
from mailslot.webhooks.sendhook import SendHook


@dataclass(frozen=True, slots=True)
class AppState:
    settings: Settings
    engine: AsyncEngine  # reads and writes; its pool is the one pool
    sessions: async_sessionmaker[AsyncSession]  # the `Sessions` and `DbSession` handles
    reads: AsyncEngine  # the `Reads` handle: db/engine.py `read_only` over the same pool
    change_log: SessionChangeLog
    broker: Broker
    token_cache: TokenCache
    grants: Grants  # the server keys behind /server requests
    host_ids: HostIds  # the users behind hosts' ids, for sends through /server
    policy: PolicyMemory  # the messaging policy and users' groups, for every send
    stream_slots: StreamSlots
    draining: Shutdown  # set when the server stops: open streams end
    credential_digests: CredentialDigests
    passwords: Passwords
    limits: RateLimits
    purger: Purger
    jobs: JobRunner  # runs the jobs requests start (a webhook replay)
    send_hook: SendHook | None = None  # MAILSLOT_SEND_HOOK_URL; None: sends are not vetted


def app_state(app: Starlette) -> AppState:
    """The state of an app whose lifespan has started."""
    try:
        state: AppState = app.state.mailslot
    except AttributeError:
        raise RuntimeError(
            "The app has not started: run it under its lifespan (asgi_lifespan's "
            "LifespanManager in tests)."
        ) from None
    return state
