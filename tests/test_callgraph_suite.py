"""The hand-written call-graph suite in tests/callgraph: well formed, complete, and scored."""

from __future__ import annotations

import ast
import builtins
import importlib.util
import json
import sys
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parent / "callgraph"
SCORER = Path(__file__).resolve().parent.parent / "benchmarks" / "callgraph_accuracy.py"

MINIMUM_CASES = {
    "builtins": 3,
    "direct_calls": 6,
    "args": 6,
    "returns": 5,
    "lambdas": 5,
    "closures": 5,
    "decorators": 10,
    "classes": 6,
    "mro": 6,
    "properties": 3,
    "staticmethod_classmethod": 4,
    "dunders": 6,
    "dicts_lists": 6,
    "dynamic_dispatch": 6,
    "args_kwargs": 4,
    "generators": 4,
    "exceptions": 4,
    "imports": 12,
    "stdlib": 4,
    "external": 2,
    "mixed": 8,
    "inheritance": 12,
    "annotations": 12,
    "dataclasses": 8,
    "containers": 12,
    "callables": 9,
    "argparse": 3,
    "rebinding": 8,
}
MINIMUM_TOTAL = 180

CASES = sorted(p for p in ROOT.glob("*/*") if p.is_dir() and p.name != "__pycache__")
SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def _sources(case: Path) -> list[Path]:
    return sorted(p for p in case.rglob("*.py") if "__pycache__" not in p.parts)


def _module_name(case: Path, path: Path) -> str:
    parts = list(path.relative_to(case).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _body(node: ast.AST) -> list[ast.AST]:
    body = node.body  # type: ignore[attr-defined]
    return body if isinstance(body, list) else [body]


def _scope_nodes(nodes: list[ast.AST]) -> Iterator[ast.AST]:
    """Defs, classes and lambdas whose enclosing scope is the one `nodes` belong to.

    A nested scope's decorators, defaults, annotations and bases run in the enclosing scope,
    so lambdas there belong to it; only its body is searched as its own scope.
    """
    for node in nodes:
        if isinstance(node, SCOPES):
            yield node
            body = _body(node)
            yield from _scope_nodes([c for c in ast.iter_child_nodes(node) if c not in body])
        else:
            yield from _scope_nodes(list(ast.iter_child_nodes(node)))


def _defined(prefix: str, nodes: list[ast.AST]) -> Iterator[str]:
    """Dotted names of the functions, methods and lambdas in a scope (classes only name a level)."""
    lambdas = []
    for node in _scope_nodes(nodes):
        if isinstance(node, ast.Lambda):
            lambdas.append(node)
            continue
        name = f"{prefix}.{node.name}"  # type: ignore[attr-defined]
        if not isinstance(node, ast.ClassDef):
            yield name
        yield from _defined(name, _body(node))
    lambdas.sort(key=lambda n: (n.lineno, n.col_offset))
    for number, node in enumerate(lambdas, 1):
        name = f"{prefix}.<lambda{number}>"
        yield name
        yield from _defined(name, _body(node))


def defined_names(case: Path) -> set[str]:
    """Every module, function, method and lambda of a case, read with `ast` (never imported)."""
    names = set()
    for path in _sources(case):
        module = _module_name(case, path)
        if not module:  # the case directory's own __init__.py: PyCG names nothing after it
            continue
        names.add(module)
        names.update(_defined(module, ast.parse(path.read_text(encoding="utf-8"), str(path)).body))
    return names


def _case_id(case: Path) -> str:
    return f"{case.parent.name}/{case.name}"


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_case_is_well_formed(case: Path) -> None:
    graph = json.loads((case / "callgraph.json").read_text(encoding="utf-8"))
    assert isinstance(graph, dict)
    defined = defined_names(case)
    assert set(graph) == defined, "keys must be exactly the case's modules, functions, methods, lambdas"
    tops = {name.split(".")[0] for name in defined}
    for caller, callees in graph.items():
        assert isinstance(callees, list) and all(isinstance(c, str) for c in callees), caller
        assert callees == sorted(set(callees)), f"{caller}: callees must be sorted and unique"
        for callee in callees:
            if callee.startswith("<builtin>."):
                assert hasattr(builtins, callee.removeprefix("<builtin>.")), callee
            else:
                assert callee in defined or callee.split(".")[0] not in tops, f"{caller} -> {callee}"
    assert any(graph.values()), "a case must have at least one edge"


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_case_sources_are_not_collected_by_pytest(case: Path) -> None:
    for path in _sources(case):
        assert not path.name.startswith("test_") and not path.name.endswith("_test.py")
        assert path.name != "conftest.py"


def test_suite_meets_category_counts() -> None:
    assert len(CASES) >= MINIMUM_TOTAL
    counts = {category: sum(case.parent.name == category for case in CASES) for category in MINIMUM_CASES}
    short = {c: (n, MINIMUM_CASES[c]) for c, n in counts.items() if n < MINIMUM_CASES[c]}
    assert not short, f"categories below their count (have, need): {short}"
    assert {case.parent.name for case in CASES} <= set(MINIMUM_CASES)


def _load_scorer():
    spec = importlib.util.spec_from_file_location("callgraph_accuracy", SCORER)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.callgraph_accuracy
def test_engine_accuracy_on_suite() -> None:
    overall = _load_scorer().score_suite(ROOT)["overall"]
    assert overall["precision"] >= 0.99
    assert overall["recall"] >= 0.90
