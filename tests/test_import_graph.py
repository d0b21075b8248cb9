"""The package's imports point one way: no cycle between layers, none between feature rooms.

Read from the source with ``ast`` (nothing is imported), counting every import — at module
level, inside functions, under ``TYPE_CHECKING`` — since a lazy import is still a dependency.
The layers, bottom up: ``store`` (on nothing but paths), ``script`` and ``importers`` (on
nothing of ours but the leaves: paths, resources, files, formats), ``services``, then ``reports``
(DTOs in, PDF out), then ``ui``, ``cli`` and the entry points (``app``, ``bootstrap``, ``jobs``).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator, Mapping
from pathlib import Path

import winback_desktop

PACKAGE = Path(winback_desktop.__file__).resolve().parent
ENTRY_POINTS = {"app", "bootstrap", "jobs", "__main__"}

# Units each layer must never import (depth 1: the first name under winback_desktop).
MUST_NOT_IMPORT: dict[str, set[str]] = {
    "store": {"script", "importers", "services", "reports", "ui", "cli", *ENTRY_POINTS},
    "script": {"store", "importers", "services", "reports", "ui", "cli", *ENTRY_POINTS},
    "importers": {"store", "script", "services", "reports", "ui", "cli", *ENTRY_POINTS},
    "services": {"reports", "ui", "cli", *ENTRY_POINTS},
    "reports": {"store", "ui", "cli", *ENTRY_POINTS},
    "ui": {"store", "cli"},
    # Leaf modules any layer may use: they import nothing of ours.
    "paths": {"*"},
    "resources": {"*"},
    "files": {"*"},
    "formats": {"*"},
}
# Known exceptions as (importing module, unit): none now; list one here only with its reason.
KNOWN: set[tuple[str, str]] = set()


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_module(name: str) -> bool:
    target = PACKAGE.parent.joinpath(*name.split("."))
    return target.with_suffix(".py").is_file() or (target / "__init__.py").is_file()


def _imported(path: Path, module: str) -> Iterator[str]:
    """The modules of ours that ``path`` (module ``module``) imports, anywhere in it."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            # ``from pkg import sub`` depends on pkg.sub when sub is a module, else on pkg.
            names = [f"{base}.{a.name}" if _is_module(f"{base}.{a.name}") else base for a in node.names]
        else:
            continue
        yield from (n for n in names if n.startswith("winback_desktop.") and _is_module(n))


def imports() -> dict[str, set[str]]:
    """Every module of the package -> the modules of ours it imports."""
    out: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module_name(path)
        out[module] = set(_imported(path, module))
    return out


def unit(module: str, depth: int) -> str:
    """``winback_desktop.services.calls.sheets`` -> ``services`` (depth 1), ``services.calls`` (2)."""
    return ".".join(module.split(".")[1 : 1 + depth]) or "winback_desktop"


Edges = dict[str, dict[str, list[str]]]  # unit -> unit -> the modules whose imports make the edge


def unit_graph(depth: int) -> Edges:
    graph: Edges = defaultdict(lambda: defaultdict(list))
    for module, targets in imports().items():
        for target in targets:
            a, b = unit(module, depth), unit(target, depth)
            if a != b and "winback_desktop" not in (a, b):
                graph[a][b].append(module)
    return graph


def cycles(graph: Mapping[str, Mapping[str, object]]) -> list[list[str]]:
    """The strongly connected components with more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(found)


def _explain(graph: Edges, component: list[str]) -> str:
    lines = [" <-> ".join(component)]
    for a in component:
        for b in component:
            if b in graph.get(a, {}):
                lines.append(f"  {a} -> {b}: {', '.join(sorted(set(graph[a][b])))}")
    return "\n".join(lines)


def test_the_cycle_finder_finds_cycles() -> None:
    assert cycles({"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}, "d": {"a": 1}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b": 1}, "b": {}}) == []


def test_the_graph_sees_imports_inside_functions() -> None:
    graph = unit_graph(1)
    assert "winback_desktop.jobs.refresh" in graph["jobs"]["bootstrap"]  # inside main()
    assert "services.catalogue" in unit_graph(2)["bootstrap"]  # inside open_app()


def test_no_cycle_between_layers() -> None:
    graph = unit_graph(1)
    found = cycles(graph)
    assert not found, "import cycles between packages:\n" + "\n".join(_explain(graph, c) for c in found)


def test_no_cycle_between_feature_rooms() -> None:
    """Inside a layer too: e.g. services.calls and services.roster must not import each other."""
    graph = unit_graph(2)
    found = cycles(graph)
    assert not found, "import cycles between modules/rooms:\n" + "\n".join(_explain(graph, c) for c in found)


def test_layers_point_one_way() -> None:
    wrong = []
    for module, targets in imports().items():
        layer = unit(module, 1)
        denied = MUST_NOT_IMPORT.get(layer, set())
        for target in targets:
            other = unit(target, 1)
            if other == layer or (module, other) in KNOWN:
                continue
            if other in denied or "*" in denied:
                wrong.append(f"{module} imports {target}")
    assert not wrong, "imports against the layering:\n" + "\n".join(sorted(wrong))


def test_reports_are_handed_dtos_not_a_context() -> None:
    """Reports render what services return: no sessions, so no AppContext either."""
    wrong = [
        f"{module} imports {target}"
        for module, targets in imports().items()
        if unit(module, 1) == "reports"
        for target in targets
        if target == "winback_desktop.services.context"
    ]
    assert not wrong, "\n".join(wrong)
