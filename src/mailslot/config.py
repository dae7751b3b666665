"""Settings: everything an operator can set, as MAILSLOT_<NAME> or `mailslot serve --<name>`."""

from __future__ import annotations

import os
import re
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AliasChoices,
    BeforeValidator,
    Field,
    SecretStr,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from mailslot.budgets import Budget

SECRET_KEY_FILE = "secret_key"  # noqa: S105 (a file name)


def _budget(value: object) -> object:
    return Budget.parse(value) if isinstance(value, str) else value


# Written "<burst>, <count>/<period>": `burst` at once, then `count` per period (s, min,
# h); parsed once, here, so whatever spends a budget never parses it again. NoDecode: an
# environment variable holds the text, not JSON.
BudgetSetting = Annotated[Budget, NoDecode, BeforeValidator(_budget)]

# Settings that hold a secret (a password may sit in a database or Redis URL): each is also
# read from the file MAILSLOT_<NAME>_FILE names, as Docker and systemd credentials hand them.
SECRET_SETTINGS = (
    "secret_key",
    "database_url",
    "database_direct_url",
    "redis_url",
    "send_hook_secret",
)


class SecretFiles(PydanticBaseSettingsSource):
    """MAILSLOT_<NAME>_FILE for each of SECRET_SETTINGS: the file's text, less its final
    newline. Setting both MAILSLOT_<NAME> and MAILSLOT_<NAME>_FILE is refused."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # __call__ reads every field at once

    def __call__(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name in SECRET_SETTINGS:
            variable = f"MAILSLOT_{name.upper()}"
            path = os.environ.get(f"{variable}_FILE")
            if not path:
                continue
            if os.environ.get(variable):
                raise ValueError(f"set {variable} or {variable}_FILE, not both")
            try:
                text = Path(path).read_text()
            except OSError as exc:
                raise ValueError(f"{variable}_FILE: cannot read {path}: {exc.strerror}") from None
            values[name] = text.removesuffix("\n").removesuffix("\r")
        return values


def exact_origin(text: str) -> str:
    """`text` as a browser serializes an origin (`https://shop.example.com`, a port only
    where not the scheme's default), or ValueError: each embed origin goes into a CSP
    directive and is compared with `MessageEvent.origin`, so no path, wildcard or
    keyword may pass."""
    parts = urlsplit(text)
    try:
        port = parts.port
    except ValueError:
        port = -1
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or port == -1
        or parts.username is not None
        or parts.password is not None
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
        or "*" in text
        or not re.fullmatch(r"[a-z0-9.\-\[\]:]+", parts.hostname)
    ):
        raise ValueError(f"{text!r} is not an origin such as https://shop.example.com")
    default = {"http": 80, "https": 443}[parts.scheme]
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{parts.scheme}://{host}" + ("" if port in (None, default) else f":{port}")


class Settings(BaseSettings):
    """Everything an operator can set, as MAILSLOT_<NAME> or `mailslot serve --<name>`."""

    model_config = SettingsConfigDict(
        env_prefix="MAILSLOT_", env_file=".env", extra="ignore", populate_by_name=True
    )

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    data_dir: Path = Path("data")
    database_url: str | None = None  # None: SQLite under data_dir
    # What `mailslot db upgrade` (and backup, restore, port) connects to when the serving
    # URL goes through a pooler: migrations need a session. None: database_url.
    database_direct_url: str | None = None
    # `pgbouncer`: the serving URL is PgBouncer in transaction mode, so nothing may rely on
    # a session (no prepared-statement cache, LISTEN, SET or session advisory lock).
    database_pooler: Literal["none", "pgbouncer"] = "none"
    redis_url: str | None = None  # None: in-process broker and limits
    # Begins every Redis channel and key, before the deployment's own identity (kept in
    # its database), which alone keeps deployments sharing one Redis apart. The old
    # MAILSLOT_REDIS_KEY_PREFIX is still read.
    redis_prefix: str = Field(
        default="mailslot:",
        validation_alias=AliasChoices("MAILSLOT_REDIS_PREFIX", "MAILSLOT_REDIS_KEY_PREFIX"),
    )
    secret_key: SecretStr | None = None  # None: generated once, kept in data_dir
    workers: int = Field(default=1, ge=1)
    token_ttl: int = Field(default=3600, ge=60)  # seconds; RFC 6750 §5.3: one hour or less
    # Seconds an instance may answer for a token without asking the database; 0: always ask.
    token_cache_seconds: float = Field(default=60.0, ge=0)
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    # None: text on a terminal, JSON lines otherwise (a container, systemd, a file).
    log_format: Literal["text", "json"] | None = None
    # FastAPI's native OpenTelemetry spans, metrics and logs, for an operator who sets up an
    # OpenTelemetry SDK. Off, no request checks whether one is configured.
    opentelemetry: bool = False
    # `off` lifts every budget but the failed sign-in throttle (benchmarks, load tests).
    rate_limits: Literal["on", "off"] = "on"
    # Failed sign-ins, one budget for every door that checks a password. 10 + 90/h keeps
    # an account at or below OWASP ASVS V2.2.1's 100 failures an hour; one address alone
    # (5 + 60/h) can never spend it, so it cannot lock the account for others.
    limit_signin_account: BudgetSetting = Budget.parse("10, 90/h")
    limit_signin_address_account: BudgetSetting = Budget.parse("5, 60/h")
    limit_signin_address: BudgetSetting = Budget.parse("60, 60/min")
    # Room for a host application's backend that registers its users from one address.
    limit_register_address: BudgetSetting = Budget.parse("60, 60/min")
    limit_send_user: BudgetSetting = Budget.parse("30, 60/min")
    # Against abuse (docs/safety.md, "Rate limits"), spent by every send of a user (not
    # the server API's): one sender to one receiver; every send of an account younger
    # than new_account_hours; each receiver a send starts a conversation with.
    limit_send_pair: BudgetSetting = Budget.parse("20, 60/h")
    limit_send_new_account: BudgetSetting = Budget.parse("10, 30/h")
    new_account_hours: float = Field(default=24, ge=0)
    limit_first_contact: BudgetSetting = Budget.parse("20, 60/h")
    # Each server key's requests under /server (a batch of 100 users is one request).
    limit_server_key: BudgetSetting = Budget.parse("600, 100/s")
    # Users see when, and by which server key, their mailbox was read under /server
    # (GET /users/{username}/access-log); off, that route answers 404 access_log_off.
    audit_show_users: bool = False
    # The platform as a sender (`POST /server/messages` with `from: "system"`): the name
    # its messages show, and whether users may reply to them (into the system mailbox).
    system_display_name: str = Field(default="mailslot", min_length=1, max_length=100)
    system_replies: Literal["on", "off"] = "off"
    # Slow clients: the request head must arrive within header_timeout seconds of the
    # first byte (or of the connection), the body within body_timeout after the head.
    header_timeout: float = Field(default=10.0, gt=0)
    body_timeout: float = Field(default=60.0, gt=0)
    ws_max_bytes: int = Field(default=64 * 1024, ge=1024)
    # Origins allowed to call the API from a browser (CORS); none by default.
    cors_origins: Annotated[list[str], NoDecode] = []
    # Origins of the host pages that may frame the embeddable inbox (/embed/inbox,
    # docs/embed.md): its CSP frame-ancestors, and whom the frame answers by postMessage.
    # None by default: no page can frame it.
    embed_origins: Annotated[list[str], NoDecode] = []
    # Addresses whose X-Forwarded-For is trusted (a reverse proxy on this host).
    forwarded_allow_ips: str = "127.0.0.1,::1"
    # Start even if the database may lose acknowledged writes (benchmarks only).
    allow_unsafe_durability: bool = False
    # The largest valid message in any JSON encoding: 65,536 characters written as
    # \uD83D\uDE00 pairs are 786,432 bytes; with subject and 100 receivers, 828,370.
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    db_pool_size: int = Field(default=20, ge=1)  # per worker; overflow connections churn
    db_pool_timeout: float = Field(default=2.0, gt=0)  # then 503, never a 30 s hang
    # SQLite `synchronous`: FULL survives power loss; NORMAL may lose the last commits.
    # OFF is refused at start unless allow_unsafe_durability is set.
    sqlite_synchronous: Literal["FULL", "NORMAL", "EXTRA", "OFF"] = "FULL"
    # Metrics (docs/monitoring.md): GET /metrics in Prometheus' text format. With a port,
    # on a listener of its own there (and not on the API's port); without one, on the API's
    # port to clients in metrics_allow only (CIDR networks, after X-Forwarded-For).
    metrics: bool = True
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    metrics_allow: Annotated[list[str], NoDecode] = ["127.0.0.0/8", "::1/128"]
    # Graceful restarts (SIGTERM): /readyz answers 503 at once; after shutdown_drain seconds
    # (for the proxy to notice) new connections are refused, streams are told to reconnect
    # elsewhere and end; the process exits within shutdown_timeout seconds in all.
    shutdown_drain: float = Field(default=0.0, ge=0)
    shutdown_timeout: float = Field(default=10.0, gt=0)
    # Change log and live streams.
    change_retention_days: int = Field(default=0, ge=0)  # 0: keep every change
    stream_ticket_ttl: int = Field(default=30, ge=1, le=300)  # seconds
    stream_heartbeat: float = Field(default=15.0, gt=0)  # SSE comment / WS ping interval
    stream_queue_size: int = Field(default=256, ge=4)  # events buffered per connection
    stream_send_timeout: float = Field(default=5.0, gt=0)  # then the client is too slow (F7)
    stream_poll_interval: float = Field(default=0.2, gt=0)  # workers > 1 without Redis
    # Live streams (SSE and WebSocket together) one user may have open; 0: no cap. A
    # resource limit, not a request budget: MAILSLOT_RATE_LIMITS=off does not lift it.
    max_streams_per_user: int = Field(default=20, ge=0)
    # OWASP Password Storage cheat sheet: argon2id, 19 MiB, 2 iterations, 1 lane.
    password_hash_memory_kib: int = Field(default=19_456, ge=8)
    password_hash_iterations: int = Field(default=2, ge=1)
    # The shortest password registration or a password change accepts. Seed B took 6
    # (docs/seed-b.md); below 6 is refused at start: NIST SP 800-63B asks for at least 8.
    password_min_length: int = Field(default=8, ge=6, le=1024)
    # `seed-b`: the routes seed B served answer in its envelope and statuses
    # (compat/envelope.py); every other route is unchanged.
    compat: Literal["none", "seed-b"] = "none"
    # Days a receiver's deleted message stays restorable in their trash.
    trash_retention_days: int = Field(default=30, ge=0)
    # Account erasure (docs/erasure.md): what `DELETE /users/{username}` and `mailslot user
    # erase` do to the mail the user sent; the server API may choose per request.
    erasure_mode: Literal["pseudonymize", "purge-sent"] = "pseudonymize"
    # Days an erased account's username stays refused to registration (409 username_held).
    erased_username_hold_days: int = Field(default=30, ge=0)
    # Exports (docs/your-data.md): seconds a user waits between two exports (0: no limit),
    # and seconds a finished archive, and its download link, stay.
    export_interval: int = Field(default=3600, ge=0)
    export_ttl: int = Field(default=86_400, ge=60)
    # Seconds between purges of expired trash and idempotency keys; 0: only `mailslot purge`.
    purge_interval: float = Field(default=3600, ge=0)
    # Messages older than this many days are hidden from every read at once and deleted by
    # the retention job (docs/erasure.md#retention); 0: keep every message forever.
    retention_days: int = Field(default=0, ge=0, le=36_500)
    # Seconds between retention runs in each serving process (one instance runs at a
    # time); 0: only `mailslot retention run`.
    retention_interval: float = Field(default=3600, ge=0)
    # Messages deleted per transaction: small enough that no row lock is held for long.
    retention_batch_size: int = Field(default=500, ge=1, le=10_000)
    # After each batch the job waits this many times as long as the batch took, so it
    # takes at most 1 / (1 + pause) of a connection's time (bench/README.md, retention).
    retention_pause: float = Field(default=1.0, ge=0, le=100)

    # Webhooks (docs/webhooks.md). Endpoints and the send hook may name only public
    # addresses unless this is on (tests and private networks): SSRF.
    webhook_allow_private: bool = False
    webhook_log_days: int = Field(default=30, ge=1)  # deliveries and their attempts kept
    # Seconds after the event (the first) or after the previous attempt, with jitter.
    webhook_retry_schedule: Annotated[list[float], NoDecode] = [
        0,
        5,
        300,
        1800,
        7200,
        18000,
        36000,
        50400,
        72000,
        86400,
    ]
    webhook_disable_after: float = Field(default=5 * 86400, gt=0)  # seconds failing running
    webhook_timeout: float = Field(default=15.0, gt=0, le=60)  # an attempt, connect to body
    webhook_connections: int = Field(default=4, ge=1, le=64)  # per endpoint and instance
    webhook_concurrency: int = Field(default=32, ge=1)  # attempts in flight per instance
    webhook_poll_interval: float = Field(default=1.0, gt=0)  # also woken by local commits
    # Seconds at least from one claim of due deliveries to the next (unless the last took
    # all it could): CPU an event against latency (webhooks/worker.py, _gather).
    webhook_gather: float = Field(default=0.05, ge=0, le=1)
    webhook_lease: float = Field(default=60.0, gt=0)  # a claimed attempt's lease, seconds
    # Whether this process delivers (an instance that only serves the API may not; the
    # test settings turn it off so that no test's deliveries change under it).
    webhook_worker: bool = True
    # The synchronous pre-send hook (one per deployment): off without a URL.
    send_hook_url: str | None = None
    send_hook_secret: SecretStr | None = None  # "whsec_...", as an endpoint's
    send_hook_timeout_ms: int = Field(default=1500, ge=50, le=5000)
    send_hook_failure: Literal["allow", "deny"] = "allow"  # on a timeout or an error
    # The platform's own sends (`"from": "system"` on the server API) are the host's:
    # not vetted by its own hook unless this is on.
    send_hook_system: bool = False
    # The web client links a conversation's context to the host's page for it: ref type
    # (what comes before the first ":" of the ref) -> URL template, `{id}` the rest of the
    # ref, `{ref}` the whole ref (both URL-encoded). JSON: {"order": "https://…/{id}"}.
    context_links: dict[str, str] = {}

    @field_validator("context_links")
    @classmethod
    def _context_link_templates(cls, value: dict[str, str]) -> dict[str, str]:
        for kind, template in value.items():
            if not re.fullmatch(r"[A-Za-z0-9_.-]{1,50}", kind):
                raise ValueError(f"a context ref type is 1 to 50 letters, digits, _ . -: {kind!r}")
            if not re.match(r"https?://[^/\s]+/|/(?!/)", template):
                raise ValueError(f"a context link is an http(s) URL or a path: {template!r}")
        return value

    @field_validator("webhook_retry_schedule", mode="before")
    @classmethod
    def _seconds_list(cls, value: object) -> object:
        if isinstance(value, str):
            return [float(part) for part in value.split(",") if part.strip()]
        return value

    @field_validator("cors_origins", "metrics_allow", "embed_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("embed_origins")
    @classmethod
    def _exact_origins(cls, value: list[str]) -> list[str]:
        return [exact_origin(origin) for origin in value]

    @model_validator(mode="after")
    def _drain_within_timeout(self) -> Settings:
        # The timeout counts from the signal, the drain included (as systemd's
        # TimeoutStopSec and Kubernetes' grace period do): a drain must leave time to stop.
        if self.shutdown_drain >= self.shutdown_timeout:
            raise ValueError(
                "MAILSLOT_SHUTDOWN_DRAIN must be less than MAILSLOT_SHUTDOWN_TIMEOUT "
                f"({self.shutdown_drain:g} >= {self.shutdown_timeout:g})"
            )
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            init_settings,
            env_settings,
            SecretFiles(settings_cls),
            dotenv_settings,
            file_secret_settings,
        )

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'mailslot.db').resolve()}"

    @property
    def resolved_direct_url(self) -> str:
        """Where migrations, backups and ports connect: around any pooler."""
        return self.database_direct_url or self.resolved_database_url

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")

    def resolved_secret_key(self) -> str:
        """The configured key, else one generated once and kept in data_dir.

        Instances that share a database must share the key, so on anything but the
        embedded SQLite it must be configured (MAILSLOT_SECRET_KEY): a key generated per
        instance would differ between them.
        """
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        if not self.is_sqlite:
            raise ValueError(
                "MAILSLOT_SECRET_KEY must be set when the database is shared (not SQLite): "
                "give every instance the same value."
            )
        path = self.data_dir / SECRET_KEY_FILE
        if path.exists():
            return path.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(32)
        path.write_text(key)
        path.chmod(0o600)
        return key


@lru_cache
def get_settings() -> Settings:
    """The process's settings; only entry points call this."""
    return Settings()
