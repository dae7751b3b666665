"""The bench's instruments: the servers under test, wrk and pgbench runs, the CPU
readings (server, database, load generator, machine) from /proc, and the interval of a
median of paired rounds' ratios."""

from __future__ import annotations

import json
import os
import random
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench import alone

HERE = Path(__file__).parent

# A request as the wrk script replays it: method, path, headers, body.
Request = tuple[str, str, dict[str, str], str | None]


@dataclass
class Result:
    scenario: str
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    errors: int
    requests: int
    ratio_to_bare: float = 0.0
    generator_cpu: float = 0.0  # wrk's CPU seconds per wall second (of 2 cores)
    server_cpu_ms: float = 0.0  # server CPU time per request: robust to a busy machine
    database_cpu_ms: float = 0.0  # PostgreSQL's CPU time per request


BOOTSTRAP_RESAMPLES = 10_000


def bootstrap_interval(ratios: list[float]) -> tuple[float, float]:
    """A 95% percentile-bootstrap interval of the median of `ratios` (one a round of
    paired A/B runs); seeded, so the same rounds give the same interval."""
    sampler = random.Random(0)
    medians = sorted(
        statistics.median(sampler.choices(ratios, k=len(ratios)))
        for _ in range(BOOTSTRAP_RESAMPLES)
    )
    return medians[int(BOOTSTRAP_RESAMPLES * 0.025)], medians[int(BOOTSTRAP_RESAMPLES * 0.975)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(url: str, process: subprocess.Popen[bytes], timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if process.poll() is not None:
            raise SystemExit(f"server exited early ({url})")
        time.sleep(0.2)
    raise SystemExit(f"server not ready: {url}")


def lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def wrk_script(requests: list[Request]) -> Path:
    specs = []
    for method, path, headers, body in requests:
        header_table = (
            "{"
            + ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in headers.items())
            + "}"
        )
        specs.append(
            "{"
            + f"{lua_string(method)}, {lua_string(path)}, {header_table}, "
            + (lua_string(body) if body is not None else "nil")
            + "}"
        )
    template = (HERE / "wrk.lua.template").read_text()
    handle, name = tempfile.mkstemp(suffix=".lua", prefix="mailslot-bench-")
    with os.fdopen(handle, "w") as file:
        file.write(template.replace("{SPECS}", "{" + ", ".join(specs) + "}"))
    return Path(name)


def _cpu_of(stat: Path) -> tuple[str, float]:
    """A process's command name and CPU seconds so far, from its /proc/<pid>/stat."""
    head, _, tail = stat.read_text().rpartition(")")
    fields = tail.split()
    seconds = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return head.partition("(")[2], seconds


def process_tree_cpu(pid: int) -> float:
    """CPU seconds used so far by a process and its children (uvicorn's workers)."""
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        try:
            total += _cpu_of(Path(f"/proc/{current}/stat"))[1]
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def database_cpu() -> dict[int, float]:
    """CPU seconds used so far by each of PostgreSQL's processes (backends included): what
    requests cost the database, beside what they cost mailslot."""
    used = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            name, seconds = _cpu_of(stat)
        except (FileNotFoundError, ProcessLookupError):
            continue
        if name == "postgres":
            used[int(stat.parent.name)] = seconds
    return used


def machine_busy_cpu() -> float:
    """CPU seconds the machine has spent busy (all cores, /proc/stat): neither idle nor
    waiting for I/O."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle, iowait = fields[3], fields[4]
    return (sum(fields[:8]) - idle - iowait) / os.sysconf("SC_CLK_TCK")


def database_cpu_since(before: dict[int, float]) -> float:
    """PostgreSQL's CPU seconds since `before`. A process that exited meanwhile (an
    autovacuum worker) takes its seconds with it: not counted, never negative."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in database_cpu().items())


def run_generator(command: list[str]) -> tuple[str, float, float]:
    """Runs a load generator to its end: its output, its CPU seconds, the wall seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return output, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime), wall


def wrk_command(script: Path, connections: int, seconds: int, base: str) -> list[str]:
    options = ["-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script)]
    return ["wrk", *options, base]


def warm_up(
    base: str,
    requests: list[Request],
    *,
    connections: int,
    seconds: int,
) -> None:
    """Unmeasured load. Each worker's first requests open its pool's connections, whose
    PostgreSQL backends then load their catalog caches, and prepare and plan each
    statement: a server in service did all that long before."""
    script = wrk_script(requests)
    run_generator(wrk_command(script, connections, seconds, base))
    script.unlink()


def run_wrk(
    name: str,
    base: str,
    requests: list[Request],
    *,
    connections: int,
    duration: int,
    server_pid: int | None = None,
    warmup: int = 0,
) -> Result:
    """wrk's run of `requests`, after `warmup` seconds of the same load unmeasured."""
    if warmup:
        warm_up(base, requests, connections=connections, seconds=warmup)
    script = wrk_script(requests)
    server_before = process_tree_cpu(server_pid) if server_pid else 0.0
    database_before = database_cpu()
    output, cpu, wall = run_generator(wrk_command(script, connections, duration, base))
    script.unlink()
    line = next(line for line in output.splitlines() if line.startswith("WRK-JSON "))
    data = json.loads(line.removeprefix("WRK-JSON "))
    errors = sum(
        data[k]
        for k in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts")
    )
    server_cpu = process_tree_cpu(server_pid) - server_before if server_pid else 0.0
    database = database_cpu_since(database_before)
    return Result(
        scenario=name,
        server_cpu_ms=server_cpu * 1000 / max(data["requests"], 1),
        database_cpu_ms=database * 1000 / max(data["requests"], 1),
        rps=data["requests"] / (data["duration_us"] / 1e6),
        p50_ms=data["p50_us"] / 1000,
        p90_ms=data["p90_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        errors=errors,
        requests=data["requests"],
        generator_cpu=cpu / wall,
    )


def run_pgbench(
    name: str, url: str, script: str, *, connections: int, duration: int, warmup: int
) -> Result:
    """A scenario of the database alone (bench/alone.py): pgbench runs `script` on the
    bench's database, `warmup` seconds then `duration`. Its log of every transaction
    gives the figures, of the transactions after the warm-up: pgbench's connections are
    new backends, as cold as a new worker's."""
    program = alone.pgbench()
    assert program is not None
    with tempfile.TemporaryDirectory(prefix="mailslot-pgbench-") as logs:
        path = Path(logs) / "script.sql"
        path.write_text(script)
        busy_before = machine_busy_cpu()
        _, cpu, wall = run_generator(
            alone.command(
                program,
                url,
                f"--client={connections}",
                "--jobs=2",
                f"--time={warmup + duration}",
                "--log",
                f"--log-prefix={logs}/log",
                f"--file={path}",
            )
        )
        busy = machine_busy_cpu() - busy_before
        # client, transaction, latency in µs (or "failed"), script, end in s and µs
        ends = [
            (int(fields[4]) + int(fields[5]) / 1e6, fields[2])
            for log in Path(logs).glob("log.*")
            for fields in (line.split() for line in log.read_text().splitlines())
        ]
    began = min(end for end, _ in ends) + warmup
    measured = [(end, latency) for end, latency in ends if end >= began]
    latencies = sorted(int(latency) for _, latency in measured if latency.isdigit())
    done = len(latencies)
    # pgbench's backends exit with it, their CPU time with them: the database's share is
    # what the machine spent beyond pgbench's own (the service sits idle meanwhile).
    database_seconds = max(busy - cpu, 0.0)
    return Result(
        scenario=name,
        rps=len(measured) / (max(end for end, _ in measured) - began),
        p50_ms=latencies[done // 2] / 1000,
        p90_ms=latencies[done * 9 // 10] / 1000,
        p99_ms=latencies[done * 99 // 100] / 1000,
        errors=len(measured) - done,
        requests=done,
        generator_cpu=cpu / wall,
        database_cpu_ms=database_seconds * 1000 / len(ends),
    )


def start_profiler(pid: int, seconds: int, out: Path) -> subprocess.Popen[bytes]:
    """py-spy recording `pid` and its workers for `seconds`, raw collapsed stacks to `out`
    (bench/profile_summary.py reads them)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [
            str(Path(sys.executable).with_name("py-spy")),  # the venv's
            "record",
            "--subprocesses",
            "--format",
            "raw",
            "--rate",
            "200",
            "-d",
            str(seconds),
            "-p",
            str(pid),
            "-o",
            str(out),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def server_env(url: str, workdir: Path) -> dict[str, str]:
    """The environment the servers run in: this process's, but no MAILSLOT_ setting from
    it; the bench's database, a fixed key, request budgets lifted, the access log on."""
    return {k: v for k, v in os.environ.items() if not k.startswith("MAILSLOT_")} | {
        "MAILSLOT_DATABASE_URL": url,
        "MAILSLOT_DATA_DIR": str(workdir),
        "MAILSLOT_SECRET_KEY": "bench-secret-key-0123456789abcdef",
        "MAILSLOT_RATE_LIMITS": "off",
        "MAILSLOT_LOG_LEVEL": "info",
        "MAILSLOT_WEBHOOK_ALLOW_PRIVATE": "true",  # the receiver is on 127.0.0.1
    }


class Servers:
    """`mailslot serve` and the bare endpoint (bench/bare.py, same server stack), each on
    a free port, both logging to `log`."""

    def __init__(self, env: dict[str, str], log: Path, *, workers: int) -> None:
        self.env, self.log_path, self.workers = env, log, workers
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self) -> None:
        port, bare_port = free_port(), free_port()
        self.log = self.log_path.open("ab")
        self.mailslot = self._serve(port, self.env)
        bare = ["-m", "uvicorn", "bare:app", "--workers", "2", "--port", str(bare_port)]
        quiet = ["--no-access-log", "--log-level", "warning", "--app-dir", str(HERE)]
        self.bare = self._spawn([*bare, *quiet])
        self.base, self.bare_base = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{bare_port}"
        wait_ready(f"{self.base}/readyz", self.mailslot)
        wait_ready(f"{self.bare_base}/bare", self.bare)

    def restart_mailslot(self, **env: str) -> None:
        """`mailslot serve` again on its port, with `env` over the servers' own (none:
        as it first ran); the bare endpoint runs on."""
        self.mailslot.send_signal(signal.SIGTERM)
        self._wait_ended(self.mailslot)
        self.processes.remove(self.mailslot)
        self.mailslot = self._serve(int(self.base.rsplit(":", 1)[1]), {**self.env, **env})
        wait_ready(f"{self.base}/readyz", self.mailslot)

    def _serve(self, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
        serve = ["-m", "mailslot", "serve", "--workers", str(self.workers), "--no-migrate"]
        return self._spawn([*serve, "--port", str(port)], env)

    def _spawn(
        self, arguments: list[str], env: dict[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            [sys.executable, *arguments],
            env=env or self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        return process

    def stop(self) -> None:
        for process in self.processes:
            process.send_signal(signal.SIGTERM)
        for process in self.processes:
            self._wait_ended(process)
        if self.processes:
            self.log.close()

    @staticmethod
    def _wait_ended(process: subprocess.Popen[bytes]) -> None:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
