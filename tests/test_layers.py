"""The package's layers, read from its own imports: adapters -> domains -> core, no cycle.

    core      db, the event bus, errors, config, budgets, logs, the edge, ...: no domain
    accounts  users, passwords, tokens
    messages  mail, server keys; reach accounts through its service
    adapters  routes, realtime, compat, web, ops, deps, state: HTTP and streams over the
              domains
    app       create_app, cli, the server: the composition root

Every import counts, a function-local or TYPE_CHECKING one too: it is a dependency all the
same. KNOWN_* list the exceptions (none now: the list started as the 5 upward edges and the
7-module cycle of messages/ that issue 17 removed). The test fails on a new violation and on
a listed one that is gone (delete its line).
"""

from __future__ import annotations

import ast
from pathlib import Path

import mailslot

PACKAGE = Path(mailslot.__file__).parent

CORE, ACCOUNTS, MESSAGES, ADAPTERS, APP = range(5)

# Whole packages or modules, the longest prefix wins.
LAYERS = {
    "mailslot": CORE,
    "mailslot.accounts": ACCOUNTS,
    "mailslot.accounts.routes": ADAPTERS,
    "mailslot.accounts.deps": ADAPTERS,
    "mailslot.messages": MESSAGES,
    "mailslot.messages.routes": ADAPTERS,
    "mailslot.messages.conversation_routes": ADAPTERS,
    "mailslot.keys": MESSAGES,  # a domain beside messages: it uses accounts' credentials
    "mailslot.audit": MESSAGES,  # the trail of mailbox reads: keys, users, messages
    "mailslot.audit.routes": ADAPTERS,
    # The outbox is written by every domain's transactions: below them all, with its tables.
    "mailslot.webhooks": MESSAGES,  # delivery renders messages, users and endpoints
    "mailslot.webhooks.models": CORE,
    "mailslot.webhooks.outbox": CORE,
    "mailslot.webhooks.targets": CORE,
    "mailslot.webhooks.routes": ADAPTERS,
    "mailslot.webhooks.log_routes": ADAPTERS,
    "mailslot.safety": MESSAGES,  # blocks, reports, sanctions: over accounts and messages
    "mailslot.safety.routes": ADAPTERS,
    "mailslot.policy": MESSAGES,  # who may message whom: asked by every send
    "mailslot.jobs": MESSAGES,
    "mailslot.rights": MESSAGES,  # data rights: over accounts, messages, webhooks, audit
    "mailslot.rights.erasure.routes": ADAPTERS,
    "mailslot.jobs.models": CORE,
    "mailslot.jobs.routes": ADAPTERS,
    "mailslot.exports": MESSAGES,  # a mailbox's archive: accounts, messages, jobs
    "mailslot.exports.models": CORE,
    "mailslot.exports.routes": ADAPTERS,
    "mailslot.serverapi": ADAPTERS,
    "mailslot.realtime": ADAPTERS,
    "mailslot.compat": ADAPTERS,
    "mailslot.web": ADAPTERS,
    "mailslot.ops": ADAPTERS,
    "mailslot.deps": ADAPTERS,  # handlers' dependencies, over the app's state
    "mailslot.state": ADAPTERS,  # holds the domains' and realtime's parts
    "mailslot.app": APP,
    "mailslot.cli": APP,
    "mailslot.server": APP,
    "mailslot.__main__": APP,
    "mailslot.db.migrations": APP,  # Alembic's env.py loads every model
}

# Upward edges and import cycles allowed: none. Add one only with the reason beside it.
KNOWN_EDGES: set[tuple[str, str]] = set()
KNOWN_CYCLES: set[frozenset[str]] = set()


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    modules = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                # `from mailslot.messages import service` imports the module itself.
                targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name and target.startswith("mailslot"):
                    graph[name].add(target)
    # `from a import b` names both a and a.b: keep the module, drop its package.
    for name, imported in graph.items():
        graph[name] = {t for t in imported if not any(o.startswith(t + ".") for o in imported)}
    return graph


def layer(module: str) -> int:
    prefix = max((p for p in LAYERS if module == p or module.startswith(p + ".")), key=len)
    return LAYERS[prefix]


def upward_edges(graph: dict[str, set[str]]) -> set[tuple[str, str]]:
    return {(a, b) for a, targets in graph.items() for b in targets if layer(b) > layer(a)}


def cycles(graph: dict[str, set[str]]) -> set[frozenset[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: set[frozenset[str]] = set()

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.add(frozenset(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_graph_is_read() -> None:
    graph = import_graph()
    # Known edges of today's code: if these are missing, the reader is broken.
    assert "mailslot.accounts.service" in graph["mailslot.accounts.routes"]
    assert "mailslot.config" in graph["mailslot.app"]
    assert sum(map(len, graph.values())) > 100


def test_no_import_goes_up_a_layer() -> None:
    edges = upward_edges(import_graph())
    assert sorted(edges - KNOWN_EDGES) == [], "new upward imports"
    assert sorted(KNOWN_EDGES - edges) == [], "fixed: delete these from KNOWN_EDGES"


def test_no_import_cycle() -> None:
    found = cycles(import_graph())
    assert sorted(map(sorted, found - KNOWN_CYCLES)) == [], "new import cycles"
    assert sorted(map(sorted, KNOWN_CYCLES - found)) == [], "gone: delete from KNOWN_CYCLES"


def test_the_checks_catch_what_they_are_for() -> None:
    graph = {
        "mailslot.config": {"mailslot.messages.service"},
        "mailslot.messages.service": {"mailslot.messages.changes"},
        "mailslot.messages.changes": {"mailslot.messages.service", "mailslot.config"},
    }
    assert upward_edges(graph) == {("mailslot.config", "mailslot.messages.service")}
    assert cycles(graph) == {
        frozenset({"mailslot.config", "mailslot.messages.service", "mailslot.messages.changes"})
    }
