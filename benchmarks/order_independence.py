"""Is the call graph the same whatever order modules are read in, and with a memo cleared?

    python benchmarks/order_independence.py TREE [--shuffles N] [--seed S]

Summarises every module of TREE once, then builds the call graph from the summaries in sorted
order, in reverse order and in N shuffled orders, and once more with the index's memo of
resolutions cleared before the final pass (a resolution memoised before some fact it depended on
grew would show as a difference). Prints the edge count of each build and the edges that differ.
Exit status 1 when any build differs from the sorted one.
"""

from __future__ import annotations

import argparse
import ast
import random
import sys
import time
from pathlib import Path

from knightwatch.graphs.callgraph import CallGraph
from knightwatch.graphs.index import Index
from knightwatch.source.sources import discover
from knightwatch.source.summary import summarise


def summaries(tree: Path) -> tuple[dict[str, dict], dict[str, str]]:
    """Module -> summary and module -> relpath for every parsable file under TREE."""
    out, paths = {}, {}
    for source in discover(tree, [], [], []):
        try:
            text = source.abspath.read_text(encoding="utf-8")
            parsed = ast.parse(text)
        except (SyntaxError, UnicodeDecodeError, ValueError, RecursionError):
            continue
        out[source.module] = summarise(source.module, source.is_package, parsed, text)
        paths[source.module] = source.relpath
    return out, paths


def edges(graph: CallGraph) -> set[tuple[str, str, str]]:
    return {(a, b, d["kind"]) for a, b, d in graph.graph.edges(data=True)}


def build(summ: dict[str, dict], paths: dict[str, str], order: list[str], clear_memo: bool = False) -> set:
    index = Index({m: summ[m] for m in order})
    return edges(CallGraph(index, paths).build(clear_memo=clear_memo))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree", type=Path)
    parser.add_argument("--shuffles", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    summ, paths = summaries(args.tree.resolve())
    names = sorted(summ)
    orders = {"sorted": names, "reversed": names[::-1]}
    rng = random.Random(args.seed)
    for i in range(args.shuffles):
        shuffled = list(names)
        rng.shuffle(shuffled)
        orders[f"shuffle{i + 1}"] = shuffled
    reference = None
    differs = False
    for label, order in list(orders.items()) + [("cleared memo", names)]:
        start = time.perf_counter()
        found = build(summ, paths, order, clear_memo=label == "cleared memo")
        took = time.perf_counter() - start
        if reference is None:
            reference = found
        extra, missing = sorted(found - reference), sorted(reference - found)
        differs |= bool(extra or missing)
        print(f"{label:>13}: {len(found)} edges ({took:.1f} s); {len(extra)} more, {len(missing)} fewer than sorted")
        for e in extra[:5]:
            print("      more  ", *e)
        for e in missing[:5]:
            print("      fewer ", *e)
    return 1 if differs else 0


if __name__ == "__main__":
    sys.exit(main())
