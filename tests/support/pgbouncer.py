"""A PgBouncer of the test's own (Debian's package) in front of a test database, set up
as docs/deployment.md#pgbouncer says.

Transaction mode with a pool of two server connections, and `server_reset_query_always`:
after every transaction PgBouncer sends DISCARD ALL, so whatever a transaction leaves on
its session (a SET, a prepared statement, LISTEN, an advisory lock, a temporary table) is
gone before the next one, which may be another client's. Code that relies on a session
fails here every time, not only when two clients happen to meet on one server."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from tests.support.servers import free_port, terminate

PGBOUNCER = "/usr/sbin/pgbouncer"
POOL_SIZE = 2  # server connections per database: far fewer than the app's pool of 20


async def set_up_database(url: str) -> None:
    """What docs/deployment.md#pgbouncer has the operator set on mailslot's role, set here
    on the test's database (the shared server's role is everyone's)."""
    connection = await asyncpg.connect(
        make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    )
    try:
        name = make_url(url).database
        await connection.execute(f"ALTER DATABASE \"{name}\" SET statement_timeout = '15s'")
        await connection.execute(f'ALTER DATABASE "{name}" SET jit = off')
    finally:
        await connection.close()


def require_pgbouncer() -> None:
    if shutil.which(PGBOUNCER) is None:
        message = f"{PGBOUNCER} is missing (`make test` installs Debian's pgbouncer)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


class PgBouncer:
    """One `pgbouncer` on a free port, serving `database_url`'s database under its name.
    As root it runs as `postgres` (it refuses to run as root)."""

    def __init__(
        self,
        database_url: str,
        *,
        pool_mode: str = "transaction",
        pool_size: int = POOL_SIZE,
        reset_always: bool = True,  # False: as in production (benchmarks)
    ) -> None:
        require_pgbouncer()
        self.target = make_url(database_url)
        self.pool_mode = pool_mode
        self.pool_size = pool_size
        self.reset_always = reset_always
        self.root = Path(tempfile.mkdtemp(prefix="mailslot-pgbouncer-"))
        self.port = free_port()
        self.as_root = os.geteuid() == 0
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The database through PgBouncer, as MAILSLOT_DATABASE_URL names it."""
        return self.target.set(host="127.0.0.1", port=self.port).render_as_string(
            hide_password=False
        )

    def start(self, timeout: float = 10) -> PgBouncer:
        database = self.target.database
        user = self.target.username or "postgres"
        (self.root / "users.txt").write_text(f'"{user}" ""\n')
        (self.root / "pgbouncer.ini").write_text(
            "[databases]\n"
            f"{database} = host={self.target.host} port={self.target.port or 5432} "
            f"dbname={database}\n"
            "[pgbouncer]\n"
            "listen_addr = 127.0.0.1\n"
            f"listen_port = {self.port}\n"
            "unix_socket_dir =\n"
            "auth_type = trust\n"
            f"auth_file = {self.root / 'users.txt'}\n"
            f"admin_users = {user}\n"
            f"pool_mode = {self.pool_mode}\n"
            f"default_pool_size = {self.pool_size}\n"
            "max_client_conn = 500\n"
            "server_reset_query = DISCARD ALL\n"
            f"server_reset_query_always = {int(self.reset_always)}\n"
            f"logfile = {self.root / 'pgbouncer.log'}\n"
        )
        owner = pwd.getpwnam("postgres") if self.as_root else None
        if owner:
            for path in (self.root, *self.root.iterdir()):
                os.chown(path, owner.pw_uid, owner.pw_gid)
        self.process = subprocess.Popen(
            [PGBOUNCER, str(self.root / "pgbouncer.ini")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            user=owner.pw_uid if owner else None,
            group=owner.pw_gid if owner else None,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"pgbouncer exited early:\n{self.log()}")
            if "listening on 127.0.0.1" in self.log():
                return self
            time.sleep(0.05)
        self.stop()
        raise AssertionError(f"pgbouncer did not start:\n{self.log()}")

    def show(self, what: str) -> list[dict[str, str]]:
        """`SHOW <what>` on PgBouncer's admin console (psql: the console speaks only the
        simple query protocol), as rows of column name to text."""
        done = subprocess.run(
            [
                "psql",
                *("-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres"),
                *("-d", "pgbouncer", "--csv", "-c", f"SHOW {what}"),
            ],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
        header, *lines = done.stdout.splitlines()
        names = header.split(",")
        return [dict(zip(names, line.split(","), strict=False)) for line in lines]

    def log(self) -> str:
        path = self.root / "pgbouncer.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        terminate(self.process)
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> PgBouncer:
        return self.start()

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.stop()
