"""The generated clients (clients/): the committed ones are what `make clients` writes from
the current API, and the TypeScript one compiles with its usage example."""

from __future__ import annotations

import filecmp
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

# Generating imports the app and runs two generators and ruff; tsc reads the whole schema.
pytestmark = pytest.mark.timeout(120)

CLIENTS = Path(__file__).parents[1] / "clients"
TYPESCRIPT = CLIENTS / "typescript"
NODE_TOOLS = TYPESCRIPT / "node_modules" / ".bin"
GENERATOR = CLIENTS.parent / ".tools" / "openapi-python-client" / "bin"
MISSING_TOOLS = "the clients' generators are missing: `make test` and `make clients` install them"

# What generate.py writes, relative to its output folder; the rest of clients/ is ours.
GENERATED = ("openapi.json", "python", "typescript/src/schema.ts")


def files(root: Path) -> set[Path]:
    found = set()
    for part in GENERATED:
        path = root / part
        if path.is_dir():
            found |= {p.relative_to(root) for p in path.rglob("*") if p.is_file()}
        elif path.exists():
            found.add(path.relative_to(root))
    return {p for p in found if "__pycache__" not in p.parts}


def stale(committed: Path, fresh: Path) -> list[str]:
    """The generated files that differ between two folders, or are in one only."""
    old, new = files(committed), files(fresh)
    changed = {p for p in old & new if not filecmp.cmp(committed / p, fresh / p, shallow=False)}
    return sorted(str(p) for p in changed | (old ^ new))


def test_committed_clients_are_generated_from_the_current_api(tmp_path) -> None:
    assert NODE_TOOLS.exists(), MISSING_TOOLS
    assert GENERATOR.exists(), MISSING_TOOLS
    generate = [sys.executable, str(CLIENTS / "generate.py"), str(tmp_path)]
    done = subprocess.run(generate, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert files(tmp_path) >= {Path("openapi.json"), Path("typescript/src/schema.ts")}
    differ = stale(CLIENTS, tmp_path)
    assert not differ, f"clients/ is stale ({', '.join(differ)}): run `make clients`"


def test_stale_finds_a_changed_an_added_and_a_missing_file(tmp_path) -> None:
    committed, fresh = tmp_path / "committed", tmp_path / "fresh"
    for root in (committed, fresh):
        (root / "python" / "pkg").mkdir(parents=True)
        (root / "python" / "pkg" / "same.py").write_text("x = 1\n")
    (committed / "openapi.json").write_text("{}\n")
    (fresh / "openapi.json").write_text('{"paths": {}}\n')
    (committed / "python" / "pkg" / "gone.py").write_text("")
    (fresh / "python" / "pkg" / "new.py").write_text("")
    assert stale(committed, fresh) == ["openapi.json", "python/pkg/gone.py", "python/pkg/new.py"]


def test_generators_read_schemas_without_rules_on_which_fields_go_together() -> None:
    loader = importlib.util.spec_from_file_location("generate", CLIENTS / "generate.py")
    assert loader is not None
    assert loader.loader is not None
    generate = importlib.util.module_from_spec(loader)
    loader.loader.exec_module(generate)
    either = [{"required": ["a"]}, {"required": ["b"], "properties": {"b": {"type": "array"}}}]
    parts = [{"$ref": "#/components/schemas/Base"}, {"type": "object"}]
    schemas = {
        "Either": {
            "properties": {"a": {}, "b": {}},
            "anyOf": either,
            "not": {"required": ["a", "b"]},
        },
        "Composed": {"properties": {"c": {}}, "allOf": parts, "oneOf": parts},
        "Union": {"anyOf": either},
    }
    read = generate.for_generators({"components": {"schemas": schemas}})["components"]["schemas"]
    assert read["Either"] == {"properties": {"a": {}, "b": {}}}
    assert read["Composed"] == schemas["Composed"]
    assert read["Union"] == schemas["Union"]  # no properties beside it: a real union


def test_typescript_client_and_its_usage_example_compile() -> None:
    assert NODE_TOOLS.exists(), MISSING_TOOLS
    done = subprocess.run(
        [str(NODE_TOOLS / "tsc"), "--noEmit", "-p", str(TYPESCRIPT)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
