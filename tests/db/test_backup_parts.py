"""The pure parts of backups and ports: libpq's environment from a URL, the tools' version
check, a row's canonical form, URLs as the port takes them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from mailslot.db import pgtools
from mailslot.db.archive import BackupError
from mailslot.db.base import metadata
from mailslot.db.port import canonical, database_url


def test_libpq_environment_carries_the_url_and_its_password() -> None:
    env = pgtools.libpq_environment(
        "postgresql+asyncpg://mailslot:s3cr%40t@db.internal:6543/mail?ssl=require", "backup"
    )
    assert env["PGPASSWORD"] == "s3cr@t"
    assert (env["PGHOST"], env["PGPORT"], env["PGUSER"], env["PGDATABASE"]) == (
        "db.internal",
        "6543",
        "mailslot",
        "mail",
    )
    assert env["PGSSLMODE"] == "require"
    assert env["PGAPPNAME"] == "backup"


def test_a_socket_directory_in_the_query_is_the_host() -> None:
    env = pgtools.libpq_environment("postgresql+asyncpg:///mail?host=/run/postgresql", "backup")
    assert env["PGHOST"] == "/run/postgresql"
    assert "PGPASSWORD" not in env


@pytest.mark.anyio
async def test_a_client_older_than_the_server_is_refused() -> None:
    major, text = await pgtools.tool_major("pg_dump")  # the machine's own
    assert await pgtools.require_tool("pg_dump", at_least=major, of="the server") == text
    with pytest.raises(BackupError) as refused:
        await pgtools.require_tool("pg_dump", at_least=major + 1, of=f"the server {major + 1}.2")
    assert f"is older than the server {major + 1}.2" in str(refused.value)
    assert f"postgresql-client-{major + 1}" in str(refused.value)


def test_versions_are_read_from_the_tools_words() -> None:
    assert pgtools.major_of("pg_dump (PostgreSQL) 16.4 (Debian 16.4-1.pgdg120+2)") == 16
    assert pgtools.major_of("pg_restore (PostgreSQL) 9.6.24") == 9


def test_canonical_rows_keep_sql_null_and_json_null_apart() -> None:
    import mailslot.app  # noqa: F401  (every model)

    users = metadata.tables["user_account"]
    names = [column.key for column in users.columns]

    def row(**values: object) -> list[object]:
        return [values.get(name) for name in names]

    moment = datetime(2026, 12, 7, 6, 0, 0, 123456, tzinfo=UTC)
    base = {"id": 1, "username": "ann", "created_at": moment, "password_hash": "x"}
    sql_null = canonical(users, row(**base))
    json_null = canonical(users, row(**base, custom="null"))
    assert sql_null != json_null
    assert canonical(users, row(**base, custom='{"b": 1, "a": [1, 2]}')) == canonical(
        users, row(**base, custom='{"a":[1,2],"b":1}')
    )
    # The same instant, whichever way an engine hands it over.
    naive = canonical(users, row(**{**base, "created_at": moment.replace(tzinfo=None)}))
    elsewhere = canonical(
        users, row(**{**base, "created_at": moment.astimezone(timezone(timedelta(hours=2)))})
    )
    assert naive == elsewhere == sql_null
    assert canonical(users, row(**base, legacy_session_digest=b"\x00\xff")) != sql_null


def test_the_port_takes_plain_urls() -> None:
    assert database_url("sqlite:///data/mailslot.db") == "sqlite+aiosqlite:///data/mailslot.db"
    assert database_url("postgres://u:p@h/d") == "postgresql+asyncpg://u:p@h/d"
    assert database_url("postgresql+asyncpg://u@h/d") == "postgresql+asyncpg://u@h/d"
