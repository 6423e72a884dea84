"""The flag/call graph around a finding, as plain nodes and edges (the renderer lays it out).

Seeds: the functions on the finding's path, or the reads of its flag and what their branches call
on the way to a sink.
Each seed that can reach a sink is joined to it by a shortest call path; sink callers one call away
and the breakers they run are added, so the picture shows the guarded route beside the unguarded one.
"""

from __future__ import annotations

import networkx as nx

from knightwatch.output.audit.view import short
from knightwatch.finding import Finding

MAX_NODES = 16


def _seeds(analysis, f: Finding) -> tuple[list[str], list[str]]:
    """(functions, flag keys) the finding names."""
    functions = list(f.properties.get("path_functions", ()))
    flags = [f.properties["flag"]] if f.properties.get("flag") else []
    for key in flags:
        for read in analysis.flags.by_key().get(key, []):
            functions.append(read.site.caller)
            functions += sorted(t for reg in read.regions if reg.on for s in reg.sites for t in s.targets
                                if t in analysis.sink_reachers)
    if f.symbol in analysis.callgraph.graph:
        functions.append(f.symbol)
    g = analysis.callgraph.graph
    return [q for q in dict.fromkeys(functions) if q in g and g.nodes[q]["kind"] in ("function", "module")], flags


def _call_graph(analysis) -> nx.DiGraph:
    g = analysis.callgraph.graph
    return g.edge_subgraph([(a, b) for a, b, k in g.edges(data="kind") if k != "ref"])


def _node(analysis, q: str) -> dict:
    g = analysis.callgraph.graph
    safety = analysis.safety
    kind = ("sink" if safety and q in safety.sinks else "breaker" if safety and q in safety.breakers
            else "entry" if q in analysis.roots else "function")
    hosts = len(analysis.function_hosts(q)) if analysis.hosts and g.nodes[q]["kind"] == "function" else None
    return {"id": q, "label": short(q), "title": q, "kind": kind, "hosts": hosts}


def _edge_guarded(analysis, caller: str, sink: str) -> bool:
    sites = [s for s in analysis.callgraph.sites.get(caller, ()) if sink in s.targets]
    return bool(sites) and all(analysis.safety.protected(s) for s in sites)


def _gates(analysis, caller: str, target: str) -> list[tuple[str, str]]:
    """(`if` or `unless`, flag key) for each flag branch in CALLER that calls TARGET."""
    words = []
    for read in analysis.flags.reads if analysis.flags else ():
        if read.site.caller != caller:
            continue
        for reg in read.regions:
            if reg.kind != "guard" and any(target in s.targets for s in reg.sites):
                words.append(("if" if reg.on else "unless", read.key or read.via))
    return words


def focus_graph(analysis, f: Finding) -> dict:
    """Nodes (functions, flags, sinks, breakers) and edges (calls, flag reads) around finding F."""
    functions, flags = _seeds(analysis, f)
    nodes = list(functions)
    safety = analysis.safety
    if safety:
        calls = _call_graph(analysis)
        for q in functions:
            if q in analysis.sink_reachers and q in calls:
                targets = [s for s in sorted(safety.sinks) if s in calls and nx.has_path(calls, q, s)]
                if targets:
                    nodes += nx.shortest_path(calls, q, targets[0])
        callers = {s.caller for s, _ in safety.sink_sites()}
        for q in list(nodes):
            if q in calls:
                nodes += sorted(c for c in calls.successors(q) if c in callers)
        for q in list(nodes):
            nodes += sorted(b for b in safety.breakers if q in calls and calls.has_edge(q, b))
    nodes = list(dict.fromkeys(nodes))[:MAX_NODES]
    kept = set(nodes)
    g = analysis.callgraph.graph
    edges = []
    gating: set[str] = set()
    for a in nodes:
        for b in nodes:
            data = g.get_edge_data(a, b)
            if a == b or data is None or data["kind"] == "ref":
                continue
            gates = _gates(analysis, a, b)
            gating.update(key for _, key in gates)
            label = ", ".join(f"{word} {key}" for word, key in gates)
            unguarded = bool(safety and b in safety.sinks and not _edge_guarded(analysis, a, b))
            edges.append({"source": a, "target": b, "kind": data["kind"], "label": label, "unguarded": unguarded})
    flag_nodes = []
    by_key = analysis.flags.by_key() if analysis.flags else {}
    for key in sorted(set(flags) | gating):
        readers = sorted({r.site.caller for r in by_key.get(key, [])} & kept)
        if readers:
            flag_nodes.append({"id": f"flag:{key}", "label": key, "title": f"flag {key}", "kind": "flag",
                               "hosts": None})
            edges += [{"source": f"flag:{key}", "target": r, "kind": "reads", "label": "", "unguarded": False}
                      for r in readers]
    return {"finding": f.fingerprint, "rule": f.rule, "title": f"{f.rule} {f.name}: {f.path}:{f.line}",
            "message": f.message, "nodes": flag_nodes + [_node(analysis, q) for q in nodes], "edges": edges}
