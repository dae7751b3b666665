"""The container image, deploy/docker/Dockerfile: its build steps run here without Docker
(the same uv commands on the same files), and the image itself where a Docker engine is.

Our machines have the Docker client and no engine: there the engine tests skip with a
notice, and the build-step test is what checks the file.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.servers import MailslotServer, free_port

# Building an environment and starting a server take seconds, more on a loaded machine.
pytestmark = [pytest.mark.process, pytest.mark.timeout(180)]

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "deploy" / "docker" / "Dockerfile"
UV = ROOT / ".tools" / "bin" / "uv"
# What `make test` installs and serving must not need.
TEST_TOOLS = ("pytest", "mypy", "ruff", "playwright", "schemathesis", "mkdocs")


def stages() -> list[list[str]]:
    """The Dockerfile's instructions, continuation lines joined, grouped by stage."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text())
    result: list[list[str]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("FROM "):
            result.append([])
        if result:
            result[-1].append(line)
    return result


def healthcheck_command(runtime: list[str]) -> list[str]:
    line = next(line for line in runtime if line.startswith("HEALTHCHECK "))
    command: list[str] = json.loads(line.split(" CMD ", 1)[1])
    return command


def test_the_dockerfile_pins_the_makefiles_uv_and_runs_as_a_numeric_user() -> None:
    build, runtime = stages()
    uv_version = re.search(r"^UV_VERSION := (\S+)$", (ROOT / "Makefile").read_text(), re.M)
    assert uv_version is not None
    assert f"RUN pip install --no-cache-dir uv=={uv_version[1]}" in build
    users = [line.split()[1] for line in runtime if line.startswith("USER ")]
    assert users
    assert all(re.fullmatch(r"[1-9][0-9]*:[1-9][0-9]*", user) for user in users)
    assert healthcheck_command(runtime) == ["mailslot", "healthcheck"]


def test_the_images_environment_serves_and_holds_no_test_tools(tmp_path: Path) -> None:
    """The build stage's uv commands on the files it copies, in order (the dependencies
    from the lock and pyproject alone, then the project), then what the runtime stage runs
    (`mailslot serve`, its HEALTHCHECK) from that environment alone."""
    build, runtime = stages()
    workdir = tmp_path / "src"
    workdir.mkdir()
    # This machine's environment (its registry proxy and certificates, uv's cache), less
    # mailslot's settings and the test environment's own venv.
    outside = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("MAILSLOT_", "VIRTUAL_ENV", "UV_"))
    }
    env = outside | {
        "PATH": f"{tmp_path / 'venv' / 'bin'}:{os.environ['PATH']}",
        "UV_PROJECT_ENVIRONMENT": str(tmp_path / "venv"),
        "UV_PYTHON_DOWNLOADS": "never",
        "UV_LINK_MODE": "copy",
        "UV_PYTHON": sys.executable,
    }
    for instruction in build:
        if instruction.startswith("COPY "):
            *sources, _target = instruction.split()[1:]
            for source in sources:
                copy = shutil.copytree if (ROOT / source).is_dir() else shutil.copy
                copy(ROOT / source, workdir / source)
        elif instruction.startswith("RUN ") and " uv sync " in instruction:
            mounted = re.findall(r"--mount=type=bind,source=(\S+?),", instruction)
            for source in mounted:
                shutil.copy(ROOT / source, workdir / source)
            command = instruction[instruction.index("uv sync") :].split()
            subprocess.run([str(UV), *command[1:]], cwd=workdir, env=env, check=True)
            for source in mounted:  # a bind mount lasts one RUN
                (workdir / source).unlink()

    python = tmp_path / "venv" / "bin" / "python"
    for tool in TEST_TOOLS:
        found = subprocess.run(
            [python, "-c", f"import importlib.util; print(importlib.util.find_spec({tool!r}))"],
            capture_output=True,
            text=True,
            check=True,
        )
        assert found.stdout.strip() == "None", f"{tool} is in the image"

    healthcheck = healthcheck_command(runtime)
    mailslot = str(tmp_path / "venv" / "bin" / "mailslot")
    server = MailslotServer(tmp_path / "data", command=(mailslot,))
    probe = [str(tmp_path / "venv" / "bin" / healthcheck[0]), *healthcheck[1:]]
    probe_env = env | {"MAILSLOT_PORT": str(server.port)}
    with server:
        assert httpx.get(f"{server.url}/docs").status_code == 200
        assert subprocess.run(probe, env=probe_env, check=False).returncode == 0
    with socket.socket() as held:  # bound and not listening: nothing else can answer there
        held.bind(("127.0.0.1", 0))
        nobody = env | {"MAILSLOT_PORT": str(held.getsockname()[1])}
        assert subprocess.run(probe, env=nobody, check=False).returncode != 0


def docker_engine() -> None:
    """Skip, with the reason, where the Docker client has no engine to talk to."""
    if shutil.which("docker") is None:
        pytest.skip("no Docker client here: the image is checked by its build steps only")
    info = subprocess.run(["docker", "info"], capture_output=True, text=True, check=False)
    if info.returncode != 0:
        pytest.skip(
            "no Docker engine on this machine (docker info failed): the image is checked "
            "by test_the_images_environment_serves_and_holds_no_test_tools instead"
        )


@pytest.fixture(scope="module")
def image() -> Iterator[str]:
    docker_engine()
    tag = f"mailslot-test:{uuid.uuid4().hex[:8]}"
    subprocess.run(["docker", "build", "-f", str(DOCKERFILE), "-t", tag, str(ROOT)], check=True)
    yield tag
    subprocess.run(["docker", "image", "rm", "-f", tag], check=False)


def wait_healthy(container: str) -> None:
    for _ in range(120):
        state = subprocess.run(
            ["docker", "inspect", "--format", "{{.State.Health.Status}}", container],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        if state == "healthy":
            return
        time.sleep(0.5)
    raise AssertionError(f"{container} did not become healthy (last: {state})")


def test_the_image_serves_read_only_as_a_non_root_user(image: str) -> None:
    port = free_port()
    name = f"mailslot-test-{uuid.uuid4().hex[:8]}"
    subprocess.run(
        ["docker", "run", "-d", "--name", name, "--read-only", "--tmpfs", "/tmp",  # noqa: S108
         "-p", f"127.0.0.1:{port}:8000", image],
        check=True,
    )  # fmt: skip
    try:
        wait_healthy(name)
        base = f"http://127.0.0.1:{port}"
        user = {"username": "alice", "email": "alice@example.com", "password": "correct horse 1"}
        assert httpx.post(f"{base}/users", json=user).status_code == 201
        uid = subprocess.run(
            ["docker", "exec", name, "id", "-u"], capture_output=True, text=True, check=True
        ).stdout.strip()
        assert uid == "10001"
    finally:
        subprocess.run(["docker", "rm", "-f", name], check=False)


def test_the_cluster_compose_file_serves_through_its_proxy(tmp_path: Path) -> None:
    docker_engine()
    compose = ROOT / "deploy" / "compose" / "compose.cluster.yaml"
    if subprocess.run(["docker", "compose", "version"], check=False).returncode != 0:
        pytest.skip("no `docker compose` plugin here")
    subprocess.run([str(compose.parent / "secrets.sh")], check=True)
    project = f"mailslot-test-{uuid.uuid4().hex[:8]}"
    up = ["docker", "compose", "-p", project, "-f", str(compose)]
    subprocess.run([*up, "up", "-d", "--build", "--wait"], check=True)
    try:
        user = {"username": "bob", "email": "bob@example.com", "password": "correct horse 2"}
        assert httpx.post("http://127.0.0.1:8080/users", json=user).status_code == 201
    finally:
        subprocess.run([*up, "down", "-v"], check=False)


def test_make_run_installs_what_the_image_installs() -> None:
    """`make run` syncs the environment as the image's build does: the project's
    dependencies and no extra (the test, docs and client tools are `make test`'s)."""
    planned = subprocess.run(
        ["make", "--dry-run", "--always-make", "run"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    syncs = [line.split() for line in planned.splitlines() if "uv sync " in line]
    image_syncs = [
        line.split() for line in stages()[0] if line.startswith("RUN ") and " uv sync " in line
    ]
    assert syncs
    assert image_syncs
    for command in syncs + image_syncs:
        assert not [flag for flag in command if flag.startswith(("--extra", "--all-extras"))]
