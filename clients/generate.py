"""Generate the clients in this folder from the app's OpenAPI document, without a server.

    .venv/bin/python clients/generate.py [OUT]

writes OUT/openapi.json (the document the app serves at /openapi.json), OUT/python
(openapi-python-client, from its venv .tools/openapi-python-client) and
OUT/typescript/src/schema.ts (openapi-typescript, from clients/typescript/node_modules). OUT defaults to this folder: that is `make clients`.
tests/test_clients.py writes into a temporary folder and compares, so the same app must
give the same files byte for byte.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OPENAPI_PYTHON_CLIENT = (
    HERE.parent / ".tools" / "openapi-python-client" / "bin" / "openapi-python-client"
)
OPENAPI_TYPESCRIPT = HERE / "typescript" / "node_modules" / ".bin" / "openapi-typescript"
# Beside `properties`, an anyOf, oneOf or not whose branches only require fields says
# which fields go together (`receiver` or `receivers`, not both). The server checks that;
# the generators cannot turn it into types: the Python one drops the operation, the
# TypeScript one makes a union in which a body of one field type-checks. The clients get
# the object without it. Any other combinator stays (and fails loudly if unsupported).
COMBINATORS = ("anyOf", "oneOf", "not")
CONSTRAINT_KEYS = {"required", "properties"}


def document() -> dict[str, Any]:
    from mailslot.app import create_app
    from mailslot.config import Settings

    return create_app(Settings()).openapi()


def for_generators(spec: dict[str, Any]) -> dict[str, Any]:
    """The document the generators read: `spec` without the field combinations of its
    object schemas (COMBINATORS)."""
    spec = copy.deepcopy(spec)
    for schema in spec["components"]["schemas"].values():
        if "properties" not in schema:
            continue
        for keyword in COMBINATORS:
            value = schema.get(keyword)
            branches = value if isinstance(value, list) else [value]
            if value is not None and all(set(b) <= CONSTRAINT_KEYS for b in branches):
                del schema[keyword]
    return spec


def dump(spec: dict[str, Any]) -> str:
    return json.dumps(spec, indent=2, ensure_ascii=False) + "\n"


def generate(out: Path) -> None:
    for tool in (OPENAPI_PYTHON_CLIENT, OPENAPI_TYPESCRIPT):
        if not tool.exists():
            sys.exit(f"{tool} is missing: run `make clients`, which installs it first")
    spec = document()
    out.mkdir(parents=True, exist_ok=True)
    (out / "openapi.json").write_text(dump(spec))
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "openapi.json"
        source.write_text(dump(for_generators(spec)))
        bin_dir = Path(sys.executable).parent  # the project's venv: its pinned ruff formats
        # Fixed string hashing: it orders the Literal members it collects in sets.
        path = f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"
        env = os.environ | {"PATH": path, "PYTHONHASHSEED": "0"}
        run(
            [
                OPENAPI_PYTHON_CLIENT,
                "generate",
                "--path",
                source,
                "--config",
                HERE / "openapi-python-client.yaml",
                "--meta",
                "uv",
                "--output-path",
                out / "python",
                "--overwrite",
                # A part it cannot generate fails `make clients` rather than going missing.
                "--fail-on-warning",
            ],
            env=env,
        )
        run(
            [OPENAPI_TYPESCRIPT, source, "--output", out / "typescript" / "src" / "schema.ts"],
            env=env,
        )


def run(command: list[str | Path], env: dict[str, str]) -> None:
    """Run a generator; quiet unless it fails, then its output and exit status 1."""
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"{Path(command[0]).name} failed:\n{done.stdout}{done.stderr}")


if __name__ == "__main__":
    generate(Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else HERE)
