"""deploy/systemd and deploy/compose, read as systemd and compose read them: the units pass
`systemd-analyze verify`, and every setting the files name is one mailslot has."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]  # mkdocs' dependency; no stubs installed

from mailslot.config import SECRET_SETTINGS, Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SETTINGS = {f"MAILSLOT_{name.upper()}" for name in Settings.model_fields} | {
    f"MAILSLOT_{name.upper()}_FILE" for name in SECRET_SETTINGS
}


def test_the_systemd_units_verify(tmp_path: Path) -> None:
    """`systemd-analyze verify` on the units, with ExecStart pointing at this checkout's
    `mailslot` (as it would at /opt/mailslot's): it reports nothing."""
    if shutil.which("systemd-analyze") is None:
        pytest.skip("no systemd-analyze on this machine")
    for unit in (DEPLOY / "systemd").glob("*.service"):
        text = unit.read_text().replace("/opt/mailslot", str(ROOT))
        (tmp_path / unit.name).write_text(text)
    units = sorted(str(path) for path in tmp_path.glob("*.service"))
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *units],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


def test_the_systemd_files_name_only_real_settings() -> None:
    files = [*(DEPLOY / "systemd").glob("*.service"), DEPLOY / "systemd" / "mailslot.env"]
    named = {name for path in files for name in re.findall(r"MAILSLOT_[A-Z_]+", path.read_text())}
    assert named
    assert named <= SETTINGS


def compose_file(name: str) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((DEPLOY / "compose" / name).read_text())
    return document


@pytest.mark.parametrize("name", ["compose.yaml", "compose.cluster.yaml"])
def test_a_compose_file_builds_the_image_and_names_real_settings(name: str) -> None:
    document = compose_file(name)
    services = document["services"]
    assert isinstance(services, dict)
    built = [service for service in services.values() if "build" in service]
    assert built
    for service in built:
        dockerfile = ROOT / "deploy" / "compose" / service["build"]["context"]
        assert (dockerfile / service["build"]["dockerfile"]).is_file()
        assert service["read_only"] is True
        assert set(service.get("environment", {})) <= SETTINGS
    secrets = document.get("secrets", {})
    assert isinstance(secrets, dict)
    for service in services.values():
        assert set(service.get("secrets", [])) <= set(secrets)
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (DEPLOY / "compose" / source).exists(), volume


def test_the_cluster_migrates_once_before_its_instances(tmp_path: Path) -> None:
    services = compose_file("compose.cluster.yaml")["services"]
    assert isinstance(services, dict)
    instances = [name for name, service in services.items() if service.get("command") == ["serve"]]
    assert len(instances) == 3
    assert services["migrate"]["command"] == ["db", "upgrade"]
    for name in instances:
        condition = services[name]["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully"
        assert services["proxy"]["depends_on"][name]["condition"] == "service_healthy"
    # The secrets script writes the files the cluster names, and a database URL that
    # mailslot reads.
    script = tmp_path / "secrets.sh"
    shutil.copy(DEPLOY / "compose" / "secrets.sh", script)
    subprocess.run(["sh", str(script)], check=True, capture_output=True)
    written = {path.name for path in (tmp_path / "secrets").iterdir()}
    assert written == set(compose_file("compose.cluster.yaml")["secrets"])
    url = (tmp_path / "secrets" / "database_url").read_text().strip()
    assert url.startswith("postgresql+asyncpg://mailslot:")


def test_the_clusters_proxy_runs_the_shipped_nginx_configuration() -> None:
    """deploy/compose/nginx.conf is deploy/nginx/mailslot.conf, its upstream aside: the
    servers are the cluster's instances (and a comment says so)."""
    shipped = (DEPLOY / "nginx" / "mailslot.conf").read_text().splitlines()
    cluster = (DEPLOY / "compose" / "nginx.conf").read_text().splitlines()
    services = compose_file("compose.cluster.yaml")["services"]
    instances = sorted(
        name for name, service in services.items() if service.get("command") == ["serve"]
    )

    def upstream_server(line: str) -> bool:
        return line.lstrip().startswith("server ") and line.rstrip().endswith(";")

    def body(lines: list[str]) -> list[str]:
        return [line for line in lines if not (line.startswith("#") or upstream_server(line))]

    def upstream(lines: list[str]) -> list[str]:
        return [line.split()[1] for line in lines if upstream_server(line)]

    assert body(cluster) == body(shipped)
    assert upstream(cluster) == [f"{name}:8000" for name in instances]
