"""The client's modules: each import resolves to a file we ship, none imports itself back,
the page preloads them all, and the rules the client checks before sending are the server's."""

from __future__ import annotations

import re

from mailslot.accounts.schemas import USERNAME_PATTERN
from mailslot.web.routes import INDEX, STATIC

IMPORT = re.compile(r'^import [^;]*? from "\./([^"]+)";', re.MULTILINE | re.DOTALL)


def imports() -> dict[str, list[str]]:
    return {path.name: IMPORT.findall(path.read_text()) for path in sorted(STATIC.glob("*.js"))}


def test_every_module_import_is_a_shipped_file_and_there_is_no_cycle() -> None:
    graph = imports()
    for module, names in graph.items():
        assert set(names) <= set(graph), module

    def visit(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, " -> ".join((*path, module))
        for name in graph[module]:
            visit(name, (*path, module))

    visit("main.js", ())
    assert "session.js" in graph["main.js"]


def test_the_page_preloads_every_module_main_imports() -> None:
    graph, reached = imports(), set()
    pending = ["main.js"]
    while pending:
        for name in graph[pending.pop()]:
            if name not in reached:
                reached.add(name)
                pending.append(name)
    preloaded = re.findall(r'<link rel="modulepreload" href="/static/([^"]+)">', INDEX.read_text())
    assert sorted(preloaded) == sorted(reached)


def test_the_username_pattern_is_the_servers() -> None:
    names = (STATIC / "names.js").read_text()
    match = re.search(r"^export const USERNAME = /(.+)/;$", names, re.MULTILINE)
    assert match is not None
    assert match.group(1) == USERNAME_PATTERN
