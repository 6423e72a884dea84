"""Dynamic call-graph oracle: what really runs, against knightwatch's static call graph.

    python benchmarks/dynamic_oracle.py PROJECT_DIR [--src src] [-v] [-- COMMAND ...]
    (default COMMAND: python -m pytest -q -p no:cacheprovider, run in PROJECT_DIR)

Runs COMMAND (a project's own test suite, by default pytest) in PROJECT_DIR under `sys.setprofile`
(a `sitecustomize` on PYTHONPATH installs the hook in that process and every Python child), records
every caller -> callee edge between functions defined in PROJECT_DIR's sources (tests excluded as
callers and callees), and compares them with `knightwatch graph --format pycg` of the sources without
their tests:

- recall: the share of executed edges the static graph has;
- precision proxy: for every executed call site (caller, line), how many targets the static graph
  gives the caller on that line among the project's functions (mean over the sites with one or
  more; builtins and outside code on the same line do not count). 1.0 is not reachable where a site
  ran several callees: the figure it is compared with is that mean for the callees that ran;
- the same per call expression: the hook records the column where the calling instruction's
  expression starts (`co_positions`, Python 3.11+), so two calls on one line (`f(g(x))`, a chain
  `a.b().c()`) are two sites, each given the targets the graph has for that expression. A call the
  graph has no expression for (an implicit one: `x[k]`, `len(x)`, a decorator) keeps its line.

Code objects are mapped to PyCG names from (file, first line) of every def in the tree, read with
`ast`; lambdas and comprehensions are skipped. Misses are printed grouped by callee (`-v`).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

HOOK = r'''
import atexit, os, sys, threading
_ROOT = os.environ["KW_ORACLE_ROOT"]
_OUT = os.environ["KW_ORACLE_OUT"]
_edges = set()
def _hook(frame, event, arg):
    if event != "call":
        return
    callee = frame.f_code
    if not callee.co_filename.startswith(_ROOT):
        return
    caller = frame.f_back
    while caller is not None and caller.f_code.co_name in ("<listcomp>", "<dictcomp>", "<setcomp>", "<genexpr>"):
        caller = caller.f_back
    if caller is None or not caller.f_code.co_filename.startswith(_ROOT):
        return
    _edges.add((caller.f_code.co_filename, _first(caller.f_code), caller.f_lineno, _column(caller),
                callee.co_filename, _first(callee)))
_positions = {}
def _column(frame):
    """The column where the expression of the caller's current instruction starts (the call), or -1."""
    code = frame.f_code
    pos = _positions.get(code)
    if pos is None:
        pos = _positions[code] = [p[2] for p in code.co_positions()] if hasattr(code, "co_positions") else []
    i = frame.f_lasti // 2
    return pos[i] if 0 <= i < len(pos) and pos[i] is not None else -1
def _first(code):
    return 0 if code.co_name == "<module>" else code.co_firstlineno
def _dump():
    sys.setprofile(None)
    with open(f"{_OUT}.{os.getpid()}", "w") as f:
        for e in _edges:
            f.write("\t".join(map(str, e)) + "\n")
atexit.register(_dump)
threading.setprofile(_hook)
sys.setprofile(_hook)
'''


def definitions(root: Path, bodies: dict | None = None) -> dict[tuple[str, int], str]:
    """(absolute file, line of the def's first line as the code object reports it) -> PyCG name;
    class bodies, which run as part of the enclosing scope, go to BODIES when given."""
    out: dict[tuple[str, int], str] = {}
    bodies = {} if bodies is None else bodies
    for path in sorted(root.rglob("*.py")):
        if ".venv" in path.parts or "__pycache__" in path.parts:
            continue
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        module = ".".join(parts)
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError):
            continue
        out[(str(path), 0)] = module  # a module's code (see `_first` in the hook)

        def walk(node: ast.AST, prefix: str) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    name = f"{prefix}.{child.name}"
                    first = child.decorator_list[0].lineno if child.decorator_list else child.lineno
                    out[(str(path), first)] = name
                    walk(child, name)
                elif isinstance(child, ast.ClassDef):
                    bodies[(str(path), child.decorator_list[0].lineno if child.decorator_list else child.lineno)] = prefix
                    walk(child, f"{prefix}.{child.name}")
                else:
                    walk(child, prefix)

        walk(tree, module)
    return out


def trace(root: Path, command: list[str], cwd: Path | None = None) -> set[tuple]:
    """Run COMMAND in CWD (default ROOT) under the profile hook; the raw edges between ROOT's code."""
    # (a child the command left behind may still write its edges there when it exits)
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
        (Path(tmp) / "sitecustomize.py").write_text(HOOK)
        env = dict(os.environ, KW_ORACLE_ROOT=str(root) + os.sep, KW_ORACLE_OUT=str(Path(tmp) / "edges"),
                   PYTHONPATH=os.pathsep.join(filter(None, [tmp, str(root), os.environ.get("PYTHONPATH")])))
        subprocess.run(command, cwd=cwd or root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        edges = set()
        for f in Path(tmp).glob("edges.*"):
            for line in f.read_text().splitlines():
                a, al, line_no, col, b, bl = line.split("\t")
                edges.add((a, int(al), int(line_no), int(col), b, int(bl)))
        return edges


#: every call site of a tree's call graph, as [caller, line, column (0-based), [targets]]
SITES = r'''
import json, sys
from pathlib import Path
from knightwatch.config import Config
from knightwatch.engine import analysis_of
from knightwatch.source.cache import Cache
cg = analysis_of(Config(root=Path(sys.argv[1]).resolve()), cache=Cache(None)).callgraph
json.dump([[s.caller, s.line, s.column - 1, sorted(s.targets)] for sites in cg.sites.values() for s in sites],
          open(sys.argv[2], "w"))
'''


def _graph(root: Path, fmt: str) -> dict | list:
    """`knightwatch graph` of ROOT's sources but its tests (a copy without them: the tests stand for
    code outside the project, as its users' would); FMT "sites" gives its call sites (`SITES`)."""
    with tempfile.TemporaryDirectory() as tmp:
        tree, out = Path(tmp) / "src", Path(tmp) / "graph.json"
        shutil.copytree(root, tree, ignore=lambda _, names: [n for n in names if is_test(n.removesuffix(".py"))
                                                            or n in (".venv", ".knightwatch_cache", "__pycache__")])
        command = ["-c", SITES, str(tree), str(out)] if fmt == "sites" else \
            ["-m", "knightwatch", "graph", str(tree), "--no-cache", "--format", fmt, "--output", str(out)]
        subprocess.run([sys.executable, *command], check=True)
        return json.loads(out.read_text())


def static_graph(root: Path) -> dict[str, list[str]]:
    return _graph(root, "pycg")


def static_lines(root: Path) -> dict[str, dict[int, set[str]]]:
    """caller -> line -> callees, from the full graph (edge attribute `lines`)."""
    data = _graph(root, "json")
    lines: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    for e in data["edges"]:
        if e.get("kind") in ("call", "may") and not e.get("implicit"):
            for n in str(e.get("lines", "")).split(","):
                if n.strip().isdigit():
                    lines[e["source"]][int(n)].add(e["target"])
    return lines


def static_expressions(root: Path) -> dict[tuple[str, int, int], set[str]]:
    """(caller, line, column) of each call expression -> its callees."""
    return {(c, line, col): set(ts) for c, line, col, ts in _graph(root, "sites")}


def is_test(name: str) -> bool:
    return any(p.startswith("test") or p in ("tests", "conftest") for p in name.split("."))


def compare(root: Path, raw: set[tuple], verbose: bool) -> dict:
    bodies: dict = {}
    names = definitions(root, bodies)
    static = static_graph(root)
    # only targets in the project count: the executed edges are those between the project's functions
    project = set(names.values())
    by_line = {c: {n: ts & project for n, ts in lines.items()} for c, lines in static_lines(root).items()}
    executed: set[tuple[str, str]] = set()
    sites: dict[tuple[str, int], set[str]] = defaultdict(set)  # executed site -> the callees it ran
    by_expr = {k: ts & project for k, ts in static_expressions(root).items()}
    # the same per call expression where the instruction that called is a call the graph has (an
    # implicit call, `x[k]` or `len(x)`, falls back to its line)
    expressions: dict[tuple, set[str]] = defaultdict(set)
    for a, al, line, col, b, bl in raw:
        caller, callee = names.get((a, al), bodies.get((a, al))), names.get((b, bl))
        if caller is None or callee is None or is_test(caller) or is_test(callee):
            continue
        executed.add((caller, callee))
        sites[(caller, line)].add(callee)
        expressions[(caller, line, col) if (caller, line, col) in by_expr else (caller, line)].add(callee)
    found = {(a, b) for a, bs in static.items() for b in bs}
    hit = executed & found
    per_site = [len(by_line.get(c, {}).get(line, ())) for c, line in sites]
    nonzero = [n for n in per_site if n]
    # the same mean for a graph that gave each of those sites exactly the callees it ran: the least
    # the measure can be (a site that ran two callees counts two)
    floor = [len(ran) for (c, line), ran in sites.items() if by_line.get(c, {}).get(line)]
    def static_of(key: tuple) -> set[str]:
        return by_expr[key] if len(key) == 3 else by_line.get(key[0], {}).get(key[1], set())
    per_expr = [n for n in (len(static_of(k)) for k in expressions) if n]
    expr_floor = [len(ran) for k, ran in expressions.items() if static_of(k)]
    result = {"executed_edges": len(executed), "found": len(hit),
              "expressions": len(expressions),
              "mean_targets_per_expression": sum(per_expr) / len(per_expr) if per_expr else 0.0,
              "expression_floor": sum(expr_floor) / len(expr_floor) if expr_floor else 0.0,
              "recall": len(hit) / len(executed) if executed else 1.0,
              "sites": len(sites), "mean_targets_per_site": sum(nonzero) / len(nonzero) if nonzero else 0.0,
              "floor": sum(floor) / len(floor) if floor else 0.0}
    if verbose:
        missed = Counter(b for a, b in executed - found)
        for (a, b) in sorted(executed - found):
            print(f"  missed {a} -> {b}")
        print("  most missed callees:", missed.most_common(10))
        extra = sorted(((len(by_line[c][line] - ran), c, line, sorted(by_line[c][line] - ran))
                        for (c, line), ran in sites.items() if c in by_line and line in by_line[c]), reverse=True)
        for n, c, line, more in extra[:25]:
            if n:
                print(f"  {n} static targets never run at {c}:{line}: {', '.join(more[:6])}")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--src", default=".", help="the sources to analyse, relative to PROJECT (e.g. src)")
    parser.add_argument("command", nargs="*", help="command to run (default: pytest)")
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("--trace", type=Path, help="read the executed edges from this file if it exists, "
                                                   "else record them there (to compare again without rerunning)")
    argv = sys.argv[1:] if argv is None else argv
    command = argv[argv.index("--") + 1:] if "--" in argv else []  # (argparse would read its options)
    args = parser.parse_args(argv[:argv.index("--")] if "--" in argv else argv)
    args.command = args.command or command
    project = args.project.resolve()
    root = (project / args.src).resolve()
    command = args.command or [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    if args.trace and args.trace.exists():
        raw = {(a, int(al), int(n), int(col), b, int(bl)) for a, al, n, col, b, bl in
               (line.split("\t") for line in args.trace.read_text().splitlines())}
    else:
        raw = trace(root, command, cwd=project)
        if args.trace:
            args.trace.write_text("".join("\t".join(map(str, e)) + "\n" for e in sorted(raw)))
    result = compare(root, raw, args.verbose)
    print(f"{root.name}: {result['executed_edges']} executed edges, recall {result['recall']:.3f}, "
          f"{result['sites']} executed call sites, mean static targets per site {result['mean_targets_per_site']:.2f} "
          f"(an exact graph: {result['floor']:.2f}); {result['expressions']} executed call expressions, "
          f"mean static targets per expression {result['mean_targets_per_expression']:.2f} "
          f"(an exact graph: {result['expression_floor']:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
