"""Reachability from entry points over the call graph."""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    import networkx as nx

from knightwatch.errors import KnightwatchError


def entry_nodes(graph: nx.DiGraph, entry_points: list[str], where: str) -> list[str]:
    """`module:function` entry points as graph nodes (the module's top level runs too)."""
    roots = []
    for ep in entry_points:
        module, _, func = ep.partition(":")
        q = f"{module}.{func}"
        if module not in graph or q not in graph:
            raise KnightwatchError(f"{where}: entry point {ep!r} not found in the analysed sources")
        roots += [module, q]
    return roots


def reachable(graph: nx.DiGraph, roots: Iterable[str], kinds: frozenset[str],
              parent: dict[str, str | None] | None = None) -> dict[str, str | None]:
    """Nodes reachable from ROOTS over edges of KINDS, each with its BFS parent (None for roots).

    Reaching a definition also reaches its module (importing it ran the module's top level), and
    reaching a module reaches its parent package. Given PARENT (an earlier result), it is grown in
    place: what it holds is not walked again.
    """
    parent = {} if parent is None else parent
    queue: deque[str] = deque()
    for r in roots:
        if r in graph and r not in parent:
            parent[r] = None
            queue.append(r)
    nodes = graph.nodes
    while queue:
        node = queue.popleft()
        module = nodes[node].get("module")
        if module and module not in parent:
            parent[module] = node
            queue.append(module)
        package = node.rpartition(".")[0] if nodes[node].get("kind") == "module" else ""
        if package in nodes and package not in parent:  # importing a.b imports the package a first
            parent[package] = node
            queue.append(package)
        for succ, data in graph.adj[node].items():
            if succ not in parent and data["kind"] in kinds:
                parent[succ] = node
                queue.append(succ)
    return parent


def path_to(parent: dict[str, str | None], node: str) -> list[str]:
    """The BFS path from a root to NODE."""
    path = [node]
    while parent.get(path[-1]) is not None:
        path.append(parent[path[-1]])
    return path[::-1]
