"""The module graph of functions/: no import cycles (lazy imports inside functions count
too: they hide a cycle, they do not break it) and no private name used across modules."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.helpers.common import ROOT

SRC = ROOT / "functions"


def _modules() -> dict[str, Path]:
    out = {}
    for path in SRC.rglob("*.py"):
        parts = path.relative_to(SRC).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if parts:
            out[".".join(parts)] = path
    return out


def _imports(tree: ast.AST, known: dict[str, Path]) -> dict[str, list[tuple[str, ast.AST]]]:
    """Imported module => (name used from it, node)."""
    out: dict[str, list[tuple[str, ast.AST]]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name in known:
                    out.setdefault(a.name, []).append(("", node))
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for a in node.names:
                sub = f"{node.module}.{a.name}"
                if sub in known:  # `from core.crm import contacts`: the submodule
                    out.setdefault(sub, []).append(("", node))
                elif node.module in known:
                    out.setdefault(node.module, []).append((a.name, node))
    return out


def _type_checking_only(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            ids |= {id(n) for n in ast.walk(node)}
    return ids


def test_no_import_cycles() -> None:
    known = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        tree = ast.parse(path.read_text())
        skip = _type_checking_only(tree)
        graph[name] = {
            m
            for m, uses in _imports(tree, known).items()
            if m != name and any(id(n) not in skip for _, n in uses)
        }
    # Tarjan's strongly connected components: any with more than one module is a cycle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    cycles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    assert not cycles, f"import cycles: {cycles}"


def test_no_private_name_is_used_across_modules() -> None:
    known = _modules()
    found = []
    for name, path in known.items():
        tree = ast.parse(path.read_text())
        for module, uses in _imports(tree, known).items():
            for used, _ in uses:
                if used.startswith("_"):
                    found.append(f"{name}: from {module} import {used}")
        aliases = {
            a.asname or a.name.split(".")[-1]
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for a in node.names
            if (node.module if isinstance(node, ast.ImportFrom) else None) is not None
            and f"{node.module}.{a.name}" in known
            or isinstance(node, ast.Import)
            and a.name in known
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                found.append(f"{name}: {node.value.id}.{node.attr}")
    assert not found, found
