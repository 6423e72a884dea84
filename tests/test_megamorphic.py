"""A parameter every function of a large library passes through (a generic wrapper, a registry's
`register(func)`) is megamorphic: calls through it are not followed, and what is passed stays
referenced, so nothing becomes dead and the analysis does not grow with the square of the library."""

from __future__ import annotations

import ast
import textwrap

from knightwatch.graphs.callgraph import CallGraph
from knightwatch.graphs.index import MEGAMORPHIC, PARAM_CAP, Index
from knightwatch.source.summary import summarise


def _graph(text: str) -> CallGraph:
    text = textwrap.dedent(text)
    idx = Index({"lib": summarise("lib", False, ast.parse(text), text)})
    return CallGraph(idx, {"lib": "lib.py"}).build()


def _library(handlers: int) -> str:
    lines = ["def call(func, *args):", "    return func(*args)", ""]
    for i in range(handlers):
        lines += [f"def handler_{i}(x):", "    return x", "", f"call(handler_{i}, {i})", ""]
    return "\n".join(lines)


def test_a_parameter_bound_to_a_few_functions_calls_each():
    graph = _graph(_library(PARAM_CAP + 5)).graph
    called = {b for a, b in graph.out_edges("lib.call")}
    assert called == {f"lib.handler_{i}" for i in range(PARAM_CAP + 5)}


def test_a_megamorphic_parameter_is_not_followed_and_what_is_passed_stays_referenced():
    graph = _graph(_library(MEGAMORPHIC + 1)).graph
    assert not [b for a, b in graph.out_edges("lib.call") if b.startswith("lib.handler_")]
    referenced = {b for a, b, kind in graph.out_edges("lib", data="kind") if b.startswith("lib.handler_")}
    assert len(referenced) == MEGAMORPHIC + 1
