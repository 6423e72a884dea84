"""Score `knightwatch graph` against the hand-written call graphs in tests/callgraph.

Each case directory holds a small program and its expected `callgraph.json` (PyCG format:
caller -> sorted callees). Edges are (caller, callee) pairs; precision = found & expected / found,
recall = found & expected / expected, summed over the edges of a case, a category or the suite.

    python benchmarks/callgraph_accuracy.py [SUITE_DIR] [-v]

Exit status 0 whatever the scores (it is a benchmark), 2 when the CLI or a graph file fails.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from knightwatch.errors import KnightwatchError

SUITE = Path(__file__).resolve().parent.parent / "tests" / "callgraph"
WORKERS = 2
TIMEOUT_SECONDS = 120
WORST_SHOWN = 10

Edge = tuple[str, str]


def load_graph(path: Path) -> set[Edge]:
    """Read a PyCG-format call graph into its set of edges."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise KnightwatchError(f"{path}: cannot read call graph: {exc}") from None
    if not isinstance(data, dict) or not all(
        isinstance(callees, list) and all(isinstance(c, str) for c in callees) for callees in data.values()
    ):
        raise KnightwatchError(f"{path}: not a PyCG call graph (a JSON object of caller -> list of callee names)")
    return {(caller, callee) for caller, callees in data.items() for callee in callees}


def find_cases(root: Path) -> list[Path]:
    """Case directories (`<category>/<case>/callgraph.json`) under `root`, sorted."""
    if not root.is_dir():
        raise KnightwatchError(f"{root}: no such suite directory")
    cases = sorted(path.parent for path in root.glob("*/*/callgraph.json"))
    if not cases:
        raise KnightwatchError(f"{root}: no cases (expected <category>/<case>/callgraph.json)")
    return cases


def run_engine(case: Path) -> set[Edge]:
    """Run `knightwatch graph` on one case and return the edges it found."""
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp) / "cg.json"
        command = [sys.executable, "-m", "knightwatch", "graph", str(case), "--format", "pycg", "--output", str(output)]
        try:
            proc = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            raise KnightwatchError(f"{case}: `knightwatch graph` timed out after {TIMEOUT_SECONDS}s") from None
        if proc.returncode != 0:
            lines = [line for line in (proc.stderr + proc.stdout).splitlines() if line.strip()]
            detail = lines[-1].strip() if lines else "no output"
            raise KnightwatchError(f"{case}: `knightwatch graph` failed (exit {proc.returncode}): {detail}")
        return load_graph(output)


def _figures(found: int, expected: int, hit: int) -> dict:
    return {
        "found": found,
        "expected": expected,
        "hit": hit,
        "precision": hit / found if found else 1.0,
        "recall": hit / expected if expected else 1.0,
    }


def _total(scores: list[dict]) -> dict:
    return _figures(*(sum(score[key] for score in scores) for key in ("found", "expected", "hit")))


def score_case(found: set[Edge], expected: set[Edge]) -> dict:
    """Precision and recall of one case, with the edges it missed and the extra ones it reported."""
    return {
        **_figures(len(found), len(expected), len(found & expected)),
        "missing": sorted(expected - found),
        "extra": sorted(found - expected),
    }


def score_suite(root: Path = SUITE) -> dict:
    """Run the engine on every case under `root`; scores per case ("category/case"), category, overall."""
    cases = find_cases(root)
    pool = ThreadPoolExecutor(max_workers=WORKERS)
    try:
        found = list(pool.map(run_engine, cases))
    finally:
        pool.shutdown(cancel_futures=True)
    per_case = {
        f"{case.parent.name}/{case.name}": score_case(edges, load_graph(case / "callgraph.json"))
        for case, edges in zip(cases, found)
    }
    categories = sorted({name.split("/")[0] for name in per_case})
    per_category = {
        category: {
            **_total([s for name, s in per_case.items() if name.startswith(category + "/")]),
            "cases": sum(name.startswith(category + "/") for name in per_case),
        }
        for category in categories
    }
    return {"cases": per_case, "categories": per_category, "overall": _total(list(per_case.values()))}


def report(scores: dict, verbose: bool = False) -> list[str]:
    """The lines printed: a per-category table, the worst cases if verbose, overall figures last."""
    lines = [f"{'category':<26} {'cases':>5} {'edges':>6} {'precision':>9} {'recall':>7}"]
    for category, s in scores["categories"].items():
        lines.append(f"{category:<26} {s['cases']:>5} {s['expected']:>6} {s['precision']:>9.1%} {s['recall']:>7.1%}")
    if verbose:
        flawed = [(name, s) for name, s in scores["cases"].items() if s["missing"] or s["extra"]]
        flawed.sort(key=lambda item: (item[1]["precision"] + item[1]["recall"], item[0]))
        lines.append("")
        lines.append(f"worst cases ({min(len(flawed), WORST_SHOWN)} of {len(flawed)} imperfect):")
        for name, s in flawed[:WORST_SHOWN]:
            lines.append(f"  {name}: precision {s['precision']:.1%}, recall {s['recall']:.1%}")
            lines.extend(f"    missing {caller} -> {callee}" for caller, callee in s["missing"])
            lines.extend(f"    extra   {caller} -> {callee}" for caller, callee in s["extra"])
    overall = scores["overall"]
    lines.append(f"precision: {overall['precision']:.1%}")
    lines.append(f"recall: {overall['recall']:.1%}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("suite", nargs="?", type=Path, default=SUITE, help="suite directory (default: tests/callgraph)")
    parser.add_argument("-v", "--verbose", action="store_true", help="show the worst cases and their edges")
    args = parser.parse_args(argv)
    try:
        scores = score_suite(args.suite)
    except KnightwatchError as exc:
        print(f"callgraph_accuracy: error: {exc}", file=sys.stderr)
        return 2
    print("\n".join(report(scores, args.verbose)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
