"""The shape of the code, checked on every run: who may import whom, how long a function may
grow, how many modules a folder may hold. Read from the source (AST), so a lazy import inside a
function counts as much as one at the top."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.paths import ROOT

PACKAGE = ROOT / "winback_desktop"
MIGRATIONS = PACKAGE / "store" / "migrations"
MAX_FUNCTION_LINES = 80
MAX_MODULES_PER_FOLDER = 15

# The Qt-free core the CLI, the child jobs and the first paint rely on.
CORE = (
    "store",
    "script",
    "importers",
    "services",
    "reports",
    "bootstrap",
    "jobs",
    "paths",
    "resources",
    "files",
    "formats",
    "desk",
)

# (layer, what it must never import, why)
FORBIDDEN = [
    *((layer, "PySide6", "the core never imports Qt") for layer in CORE),
    ("ui", "winback_desktop.store", "widgets go through services, never the store"),
    ("ui", "sqlalchemy", "widgets never open sessions or write SQL"),
    ("store", "winback_desktop.services", "the store knows nothing of the use cases"),
    ("store", "winback_desktop.ui", "the store knows nothing of the screens"),
    ("reports", "winback_desktop.store", "reports render what services return"),
    ("reports", "sqlalchemy", "reports run no SQL"),
    ("services", "winback_desktop.ui", "services never reach into the screens"),
    ("services", "winback_desktop.cli", "services never reach into the command line"),
]


def modules() -> Iterator[Path]:
    for path in sorted(PACKAGE.rglob("*.py")):
        if MIGRATIONS not in path.parents:
            yield path


def layer_of(path: Path) -> str:
    return path.relative_to(PACKAGE).with_suffix("").parts[0]


def imported_names(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module
            for alias in node.names:  # "from winback_desktop import store" imports a package
                yield node.lineno, f"{node.module}.{alias.name}"


def violations() -> list[str]:
    found: dict[tuple[str, int, str], str] = {}
    for path in modules():
        layer = layer_of(path)
        where = str(path.relative_to(ROOT))
        for line, name in imported_names(ast.parse(path.read_text(encoding="utf-8"))):
            for owner, banned, why in FORBIDDEN:
                if layer == owner and (name == banned or name.startswith(banned + ".")):
                    found.setdefault((where, line, banned), f"{where}:{line}: imports {name} ({why})")
    return sorted(found.values())


def test_layers_keep_their_contracts():
    assert violations() == []


def test_the_contract_check_sees_a_violation(tmp_path):
    # The checker itself must catch a lazy import deep inside a function.
    source = "def f():\n    if True:\n        from winback_desktop.store.models import Call\n"
    names = [name for _, name in imported_names(ast.parse(source))]
    assert "winback_desktop.store.models" in names


def long_functions() -> list[str]:
    found = []
    for path in modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.name} is {length} lines")
    return found


def test_no_function_is_over_80_lines():
    assert long_functions() == []


@pytest.mark.parametrize("top", ["winback_desktop", "tests"])
def test_no_folder_holds_more_than_15_modules(top):
    crowded = []
    for folder in sorted({p.parent for p in (ROOT / top).rglob("*.py")}):
        count = sum(1 for p in folder.glob("*.py") if p.name != "__init__.py")
        if count > MAX_MODULES_PER_FOLDER and MIGRATIONS not in (folder, *folder.parents):
            crowded.append(f"{folder.relative_to(ROOT)}: {count} modules")
    assert crowded == []


def test_every_package_says_what_it_holds():
    inits = [p for p in PACKAGE.rglob("__init__.py") if MIGRATIONS not in p.parents]
    silent = [
        str(init.relative_to(ROOT))
        for init in inits
        if not ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
    ]
    assert silent == []
