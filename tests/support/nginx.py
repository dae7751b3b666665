"""Debian's nginx in front of `mailslot serve` instances, run as the test's own user from the
shipped deploy/nginx/mailslot.conf with only its addresses and paths changed."""

from __future__ import annotations

import re
import socket
import subprocess
import time
from pathlib import Path

from tests.support.servers import MailslotServer, free_port, terminate

NGINX = Path("/usr/sbin/nginx")
SHIPPED = Path(__file__).parents[2] / "deploy" / "nginx" / "mailslot.conf"
UPSTREAM_SERVER = re.compile(r"^(\s*server )127\.0\.0\.1:\d+( .*;)$", re.MULTILINE)

# The shipped file is an http-context file for /etc/nginx/conf.d/; around it, what
# /etc/nginx/nginx.conf would hold, with every path in the test's directory. One process,
# no master: it runs as whoever runs the tests.
MAIN = """\
daemon off;
master_process off;
pid {root}/nginx.pid;
error_log {root}/error.log info;
events {{ worker_connections 1024; }}
http {{
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    include {root}/mailslot.conf;
}}
"""


def site_config(instances: list[MailslotServer], *, port: int, root: Path) -> str:
    """deploy/nginx/mailslot.conf with the test's instances in its upstream, listening on
    `port`, logging under `root`; every substitution must match, so a change to the
    shipped file that the test would not follow fails here."""
    text = SHIPPED.read_text()
    shipped = UPSTREAM_SERVER.findall(text)
    assert len(shipped) >= 1, "no `server 127.0.0.1:PORT ...;` line in the upstream"
    first = UPSTREAM_SERVER.search(text)
    assert first is not None
    lines = "\n".join(f"{first[1]}127.0.0.1:{server.port}{first[2]}" for server in instances)
    text = UPSTREAM_SERVER.sub("", text)
    text = text[: first.start()] + lines + text[first.start() :]
    for old, new in (("listen 80;", f"listen 127.0.0.1:{port};"), ("/var/log/nginx/", f"{root}/")):
        assert old in text, old
        text = text.replace(old, new)
    return text


class NginxServer:
    def __init__(self, root: Path, instances: list[MailslotServer]) -> None:
        self.root = root
        self.instances = instances
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def access_log(self) -> str:
        path = self.root / "mailslot.access.log"
        return path.read_text() if path.exists() else ""

    def error_log(self) -> str:
        path = self.root / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def start(self, timeout: float = 10) -> NginxServer:
        self.root.mkdir(parents=True, exist_ok=True)
        site = site_config(self.instances, port=self.port, root=self.root)
        (self.root / "mailslot.conf").write_text(site)
        main = self.root / "nginx.conf"
        main.write_text(MAIN.format(root=self.root))
        command = [str(NGINX), "-p", str(self.root), "-e", str(self.root / "error.log")]
        tested = subprocess.run([*command, "-t", "-c", str(main)], capture_output=True, text=True)
        assert tested.returncode == 0, tested.stderr
        self.process = subprocess.Popen(
            [*command, "-c", str(main)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"nginx exited:\n{self.error_log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise AssertionError(f"nginx did not start:\n{self.error_log()}")

    def stop(self) -> None:
        terminate(self.process)
