"""The server's shape holds: no import hidden in a function, small modules, a short root."""

from __future__ import annotations

import ast

from tests.paths import REPO_ROOT

SERVER = REPO_ROOT / "server"
# The CLI's commands import what they run when they run, so that `langso --help` starts fast.
LAZY_IMPORTS_ALLOWED = {SERVER / "cli"}
MAX_LINES = 400
MAX_ROOT_MODULES = 10


def _hidden_imports(source: str, name: str) -> list[str]:
    """`name:line imports module` for each import of `server` inside a function of `source`."""
    found = []
    for function in ast.walk(ast.parse(source, filename=name)):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                # a relative import can only reach another module of the same package
                modules = [node.module or ""] if node.level == 0 else ["server (relative)"]
            else:
                continue
            found += [
                f"{name}:{node.lineno} imports {module}"
                for module in modules
                if module.split(".")[0] == "server" or module.startswith("server ")
            ]
    return sorted(set(found))


def test_no_server_import_inside_a_function() -> None:
    """An import inside a function to dodge a cycle is a cycle: move the thing instead."""
    hidden = [
        found
        for path in sorted([*SERVER.rglob("*.py"), *(REPO_ROOT / "tests").rglob("*.py")])
        if path.parent not in LAZY_IMPORTS_ALLOWED
        for found in _hidden_imports(
            path.read_text(encoding="utf-8"), str(path.relative_to(REPO_ROOT))
        )
    ]
    assert hidden == []


def test_the_check_finds_imports_in_functions_and_methods_only() -> None:
    source = (
        "import server.i18n\n"
        "from server.web import paging\n"
        "def f():\n"
        "    from server.db import bulk\n"
        "    import os, server.search\n"
        "class A:\n"
        "    async def g(self):\n"
        "        from . import errors\n"
        "        from serverless import x\n"
    )
    assert _hidden_imports(source, "m.py") == [
        "m.py:4 imports server.db",
        "m.py:5 imports server.search",
        "m.py:8 imports server (relative)",
    ]


def test_no_module_is_longer_than_400_lines() -> None:
    long = {
        str(path.relative_to(REPO_ROOT)): lines
        for path in SERVER.rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}, "split these modules"


def test_the_root_of_server_has_at_most_10_modules() -> None:
    root = sorted(path.name for path in SERVER.glob("*.py"))
    assert len(root) <= MAX_ROOT_MODULES, f"move some of {root} into packages"


def _imported(node: ast.AST) -> list[str]:
    """The modules an import statement names (none for other statements)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        return [node.module or ""]
    return []


def test_nothing_imports_a_conftest() -> None:
    """Shared fixtures are asked for by name; plain data lives in tests/data.py."""
    imports = [
        f"{path.relative_to(REPO_ROOT)}:{node.lineno} imports {module}"
        for folder in ("tests", "bench")
        for path in sorted((REPO_ROOT / folder).rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        for module in _imported(node)
        if module.split(".")[-1] == "conftest"
    ]
    assert imports == []
