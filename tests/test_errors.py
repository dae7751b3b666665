"""The error registry: every code a client can see is declared once, in `Code`, described in
`CODES`, used by the code that answers it, and listed in docs/errors.md."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

from mailslot import errors
from mailslot.errors import CODES, AppError, Code, errors_page

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "src" / "mailslot"
PAGE = ROOT / "docs" / "errors.md"


def error_classes() -> list[type[AppError]]:
    return [
        kind
        for kind in vars(errors).values()
        if inspect.isclass(kind) and issubclass(kind, AppError)
    ]


def test_every_code_is_described() -> None:
    assert list(CODES) == list(Code)


def test_the_docs_page_is_the_registry() -> None:
    assert PAGE.read_text(encoding="utf-8") == errors_page(), (
        "docs/errors.md is out of date: .venv/bin/python -c 'from mailslot.errors import "
        'errors_page; print(errors_page(), end="")\' > docs/errors.md'
    )


def test_each_error_class_has_a_code_of_its_own_and_its_parents_status() -> None:
    classes = error_classes()
    assert len({kind.code for kind in classes}) == len(classes)
    for kind in classes:
        assert kind.status == CODES[kind.code].status
        assert not CODES[kind.code].websocket_only, kind
        for parent in kind.__mro__[1:]:
            if issubclass(parent, AppError) and parent is not AppError:
                assert kind.status == parent.status, (kind, parent)


def test_the_module_docstring_draws_every_class() -> None:
    drawn = set(re.findall(r"(\w+) \((\d+) (\w+)\)", errors.__doc__ or ""))
    assert drawn == {(kind.__name__, str(kind.status), kind.code) for kind in error_classes()}


def codes_answered() -> set[Code]:
    """The codes the package answers with."""
    return {
        code
        for path in SOURCE.rglob("*.py")
        if path != SOURCE / "errors.py"
        for code in codes_named(path)
    }


def codes_named(path: Path) -> set[Code]:
    """Every `Code.X` a module names, and the code of every AppError class it builds (to
    raise it)."""
    by_name = {kind.__name__: kind.code for kind in error_classes()}
    used: set[Code] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "Code"
        ):
            used.add(Code[node.attr])
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in by_name
        ):
            used.add(by_name[node.func.id])
    return used


def test_every_code_is_answered_somewhere_or_reserved() -> None:
    answered = codes_answered()
    unanswered = {code for code, declared in CODES.items() if not declared.reserved} - answered
    assert not unanswered, f"declared, answered by nothing, not reserved: {sorted(unanswered)}"
    raised_but_reserved = {
        code for code, declared in CODES.items() if declared.reserved and code in answered
    } - {Code.NOT_ACCEPTABLE}  # problems maps a 406 HTTPException to it, none is raised
    assert not raised_but_reserved, sorted(raised_but_reserved)


def test_seed_a_codes_are_answered_by_compat_only() -> None:
    """The OpenAPI document names a seed A code only at seed A's addresses."""
    seed_a = {code for code, declared in CODES.items() if declared.seed_a}
    for path in SOURCE.rglob("*.py"):
        if path.parent.name != "compat" and path != SOURCE / "errors.py":
            assert not codes_named(path) & seed_a, path


def test_problems_and_closes_are_built_from_codes_never_from_literals() -> None:
    """problem_response(status, code, ...) and websocket.close(code, reason) take a Code
    (mypy checks the types where it can; this, where a literal would still pass)."""
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or len(node.args) < 2:
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else None
            if isinstance(node.func, ast.Attribute):
                name = node.func.attr
            if name in ("problem_response", "close"):
                code = node.args[1]
                assert not isinstance(code, ast.Constant | ast.JoinedStr), (path, node.lineno)


def test_the_web_client_switches_only_on_declared_codes() -> None:
    compared = {
        match
        for script in (SOURCE / "web" / "static").rglob("*.js")
        for match in re.findall(r'code [!=]== "(\w+)"', script.read_text(encoding="utf-8"))
    }
    assert compared, "the web client compares no code any more: update this test"
    assert compared <= set(Code), sorted(compared - set(Code))
