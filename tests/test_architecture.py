"""The dependency direction between the packages (docs/architecture.md, "Layers"), read from the
import statements of every module: a feature may use the core (`portal`) and the features below
it, never one above it, never `admin`; no cycles; no import hidden inside a function that crosses
features (wiring goes through `init_app` and `portal.extension_points`)."""
from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("portal", "catalog", "orders", "opportunities", "admin")

# feature -> the features it may import (besides itself and `portal`, which every feature may use)
ALLOWED: dict[str, set[str]] = {
    "portal": set(),
    "catalog": set(),
    "campaigns": {"catalog"},
    "quotes": {"catalog"},
    "orders": {"catalog", "quotes"},
    "matching": set(),  # company-name matching: a library of pure functions
    "registry": {"registrations", "matching"},  # stores registrations: their models only (below)
    "registrations": {"catalog", "campaigns", "registry", "matching"},
    "leads": {"catalog", "campaigns", "registrations", "registry", "matching"},
    "admin": {"catalog", "campaigns", "quotes", "orders", "registry", "registrations", "leads", "matching"},
}


def feature_of(module: str) -> str | None:
    """The feature a dotted module name belongs to (None: not ours)."""
    parts = module.split(".")
    top = parts[0]
    if top not in PACKAGES:
        return None
    if top == "orders" and len(parts) > 1 and parts[1] == "quotes":
        return "quotes"
    if top == "opportunities":
        sub = parts[1] if len(parts) > 1 else ""
        if sub in ("leads", "campaigns", "registry", "matching"):
            return sub
        return "registrations"
    return top


@dataclass(frozen=True)
class Edge:
    source: str  # module
    target: str  # imported module
    line: int
    in_function: bool

    def __str__(self) -> str:
        where = " (inside a function)" if self.in_function else ""
        return f"{self.source}:{self.line} imports {self.target}{where}"


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST, package: str) -> Iterator[tuple[str, int, bool]]:
    """(imported module, line, inside a function) for every import outside TYPE_CHECKING."""
    def visit(node: ast.AST, in_function: bool) -> Iterator[tuple[str, int, bool]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for sub in child.orelse:
                    yield from visit(sub, in_function)
                continue
            if isinstance(child, ast.Import):
                for alias in child.names:
                    yield alias.name, child.lineno, in_function
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:  # relative: resolve against the package
                    anchor = package.split(".")[: len(package.split(".")) - child.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                for alias in child.names:
                    # `from orders import views` imports orders.views; `from x import name` imports x
                    yield (f"{base}.{alias.name}" if feature_of(f"{base}.{alias.name}") else base), child.lineno, in_function
            yield from visit(child, in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)))
    yield from visit(tree, False)


def _edges() -> list[Edge]:
    edges = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            module = _module_name(path)
            is_package = path.name == "__init__.py"
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            for target, line, in_function in _imports(tree, module if is_package else module.rpartition(".")[0]):
                if feature_of(target) is not None:
                    edges.append(Edge(module, target, line, in_function))
    return edges


EDGES = _edges()


def _crossing(edge: Edge) -> tuple[str, str] | None:
    source, target = feature_of(edge.source), feature_of(edge.target)
    if source is None or target is None or source == target:
        return None
    return source, target


def test_the_scan_sees_the_code():
    assert len(EDGES) > 1500
    assert any(e.source == "orders.services.placing" and e.target.startswith("catalog") for e in EDGES)


def test_the_core_imports_no_feature():
    bad = [str(e) for e in EDGES if feature_of(e.source) == "portal" and feature_of(e.target) != "portal"]
    assert not bad, "portal must not import a feature (wire it through portal.extension_points):\n" + "\n".join(bad)


def test_nothing_imports_admin():
    bad = [str(e) for e in EDGES if feature_of(e.target) == "admin" and feature_of(e.source) != "admin"]
    assert not bad, "\n".join(bad)


def test_features_import_only_what_they_may():
    bad = []
    for edge in EDGES:
        pair = _crossing(edge)
        if pair is None or pair[1] == "portal":
            continue
        source, target = pair
        if target not in ALLOWED[source]:
            bad.append(f"{edge}: {source} may not import {target}")
    assert not bad, "\n".join(bad)


def _is_registration_model(module: str) -> bool:
    return module == "opportunities.registrations.models" or module.startswith("opportunities.registrations.models.")


def test_the_registry_knows_only_registration_models():
    bad = [str(e) for e in EDGES if feature_of(e.source) == "registry" and feature_of(e.target) == "registrations"
           and not _is_registration_model(e.target)]
    assert not bad, "\n".join(bad)


def test_registration_models_import_only_the_core():
    """So the registry's use of them closes no cycle (the cycle check leaves those edges out)."""
    bad = [str(e) for e in EDGES if _is_registration_model(e.source) and feature_of(e.target) not in ("portal", "registrations")
           or _is_registration_model(e.source) and feature_of(e.target) == "registrations" and not _is_registration_model(e.target)]
    assert not bad, "\n".join(bad)


def test_the_feature_graph_has_no_cycle():
    graph: dict[str, set[str]] = {}
    for edge in EDGES:
        pair = _crossing(edge)
        if pair is not None and not (pair[0] == "registry" and _is_registration_model(edge.target)):
            graph.setdefault(pair[0], set()).add(pair[1])
    seen: dict[str, int] = {}  # 1: on the path, 2: done

    def walk(node: str, path: list[str]) -> None:
        seen[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if seen.get(nxt) == 1:
                pytest.fail("cycle between features: " + " -> ".join([*path, node, nxt]))
            if nxt not in seen:
                walk(nxt, [*path, node])
        seen[node] = 2

    for node in sorted(graph):
        if node not in seen:
            walk(node, [])


def test_no_import_inside_a_function_crosses_features():
    bad = [str(e) for e in EDGES if e.in_function and _crossing(e) is not None and _crossing(e)[1] != "portal"]
    assert not bad, "imports inside functions that cross features (import at the top, or use the registry):\n" + "\n".join(bad)


@pytest.mark.parametrize("module, expected", [
    ("orders.quotes.services.common", "quotes"), ("orders.views", "orders"), ("opportunities.leads.api", "leads"),
    ("opportunities.registrations.services.deals", "registrations"), ("opportunities.matching", "matching"),
    ("opportunities.registry.store", "registry"), ("portal.db", "portal"), ("flask", None),
])
def test_features_are_named_by_their_package(module, expected):
    assert feature_of(module) == expected
