"""Export the call graph (with flag nodes) as PyCG JSON, DOT, GraphML or networkx node-link JSON.

PyCG: every module, function and lambda of the project is a key mapping to its sorted callees over
the call and may-call edges that call sites make (references, implicit edges and importing a module
are not calls there, though the graph keeps imports as edges for reachability). The other formats carry the whole graph,
string-keyed: flag keys become `flag:<key>` nodes with `reads` edges to the functions that read them,
and calls run only under a flag carry `gated_by`.
"""

from __future__ import annotations

import json

import networkx as nx

from knightwatch.analysis import Analysis
from knightwatch.errors import KnightwatchError
from knightwatch.source.summary import written_name

FORMATS = ("pycg", "dot", "graphml", "json")
CALL_KINDS = frozenset({"call", "may"})
PYCG_KEYS = frozenset({"module", "function", "lambda"})
#: node kinds PyCG never names as a callee: a class (its __init__ is), a module (importing is no call)
NOT_CALLEES = frozenset({"class", "module"})
FOCUS_HOPS = 3
FLAG_PREFIX = "flag:"


def _root_package(analysis: Analysis) -> str | None:
    """The package a project root with its own `__init__.py` is named as, if it is one."""
    return next((m for m, rel in analysis.callgraph.paths.items() if rel == "__init__.py"), None)


def pycg(analysis: Analysis) -> dict[str, list[str]]:
    """Caller -> sorted callees in PyCG's micro-benchmark format. Names are relative to the analysed
    directory, as PyCG's are to `--package`: a root that is itself a package loses its own name."""
    g = analysis.callgraph.graph
    idx = analysis.index
    root = _root_package(analysis)

    def name(q: str) -> str:  # (two `def _` registered with a generic function are one name there)
        q = written_name(q)
        return q[len(root) + 1:] if root and q.startswith(root + ".") else q

    out: dict[str, set[str]] = {}
    for q in idx.defs:
        if idx.kind(q) in PYCG_KEYS and q != root:
            out.setdefault(name(q), set()).update(
                name(t) for t, data in g.adj[q].items() if data["kind"] in CALL_KINDS
                and not data.get("implicit") and g.nodes[t].get("kind") not in NOT_CALLEES)
    return {q: sorted(callees) for q, callees in sorted(out.items())}


def _plain(value):
    """A GraphML/DOT-friendly attribute value (lists joined by commas)."""
    if isinstance(value, (list, tuple, set, frozenset)):
        return ",".join(str(v) for v in value)
    return value


def full_graph(analysis: Analysis) -> nx.DiGraph:
    """The call graph plus flag nodes, with string node ids and scalar attributes."""
    out = nx.DiGraph()
    for node, data in analysis.callgraph.graph.nodes(data=True):
        out.add_node(node, **{k: _plain(v) for k, v in data.items() if v is not None})
    for a, b, data in analysis.callgraph.graph.edges(data=True):
        out.add_edge(a, b, **{k: _plain(v) for k, v in data.items() if v is not None})
    flags = analysis.flags.graph if analysis.flags else nx.DiGraph()
    for a, b, data in flags.edges(data=True):
        if isinstance(a, tuple):  # ("flag", key) -> the function that reads it
            out.add_node(FLAG_PREFIX + a[1], kind="flag")
            out.add_edge(FLAG_PREFIX + a[1], b, kind="reads", lines=str(data.get("line", "")))
        elif out.has_edge(a, b):
            gated = out.edges[a, b].get("gated_by", "")
            keys = sorted(set(filter(None, gated.split(","))) | {data["gated_by"]})
            out.edges[a, b]["gated_by"] = ",".join(keys)
    return out


def focus(graph: nx.DiGraph, target: str, hops: int = FOCUS_HOPS) -> nx.DiGraph:
    """The subgraph of nodes within HOPS calls of TARGET (a qualified name or a flag key), both ways."""
    node = target if target in graph else FLAG_PREFIX + target
    if node not in graph:
        raise KnightwatchError(f"--focus {target!r}: no such function, module or flag in the graph")
    near = set(nx.single_source_shortest_path_length(graph, node, cutoff=hops))
    near |= set(nx.single_source_shortest_path_length(graph.reverse(copy=False), node, cutoff=hops))
    return graph.subgraph(near).copy()


def _dot_id(value) -> str:
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _dot_attrs(data: dict) -> str:
    return ", ".join(f"{k}={_dot_id(v)}" for k, v in sorted(data.items()))


def to_dot(graph: nx.DiGraph) -> str:
    """Graphviz DOT text (written here: networkx's DOT writers need pydot or pygraphviz)."""
    lines = ["digraph callgraph {"]
    lines += [f"  {_dot_id(n)} [{_dot_attrs(d)}];" for n, d in sorted(graph.nodes(data=True))]
    lines += [f"  {_dot_id(a)} -> {_dot_id(b)} [{_dot_attrs(d)}];" for a, b, d in sorted(graph.edges(data=True))]
    return "\n".join(lines + ["}"]) + "\n"


def _node_link(graph: nx.DiGraph) -> dict:
    try:
        return nx.node_link_data(graph, edges="edges")
    except TypeError:  # networkx < 3.4 names the keyword `link`
        return nx.node_link_data(graph, link="edges")


def render(analysis: Analysis, fmt: str, focus_on: str | None = None) -> str:
    """The graph of ANALYSIS as text in FMT, optionally around FOCUS_ON only."""
    if fmt not in FORMATS:
        raise KnightwatchError(f"unknown graph format {fmt!r} (known: {', '.join(FORMATS)})")
    graph = full_graph(analysis)
    if focus_on:
        graph = focus(graph, focus_on)
    if fmt == "pycg":
        data = pycg(analysis)
        if focus_on:
            data = {k: [c for c in v if c in graph] for k, v in data.items() if k in graph}
        return json.dumps(data, indent=2) + "\n"
    if fmt == "dot":
        return to_dot(graph)
    if fmt == "graphml":
        return "\n".join(nx.generate_graphml(graph)) + "\n"
    return json.dumps(_node_link(graph), indent=2, sort_keys=True) + "\n"
