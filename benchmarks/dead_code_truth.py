"""How often KW102 is proven wrong on real projects: each project's own test suite runs under
coverage.py (branch), then KW102 runs on the call graph alone (no coverage given to it) and every
finding whose function (or a function inside the class or module it names) executed during the tests
is proven false. Reported overall and per confidence band, and once more with the coverage given to
knightwatch (where coverage is evidence, so the count must be 0).

    python benchmarks/dead_code_truth.py [--sample N] [--tests users|ignore] [NAME ...]

Sdists come from PyPI (`pip download --no-binary`) into benchmarks/corpora/ (git-ignored). With
--sample N, a seeded random sample of N graph-only findings per project is written to
benchmarks/corpora/<NAME>-sample.txt with the source of each, for judging by hand. --tests is
KW102's `dead-code-tests` (default `users`: code the project's tests use is used).
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tarfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from knightwatch.analysis import analyse
from knightwatch.config import Config
from knightwatch.graphs.liveness import executed_functions, executed_modules
from knightwatch.rules.dead_code import DeadCode

CORPORA = Path(__file__).resolve().parent / "corpora"
TEST_TIMEOUT = 280  # seconds per test suite


@dataclass(frozen=True)
class Project:
    name: str  # PyPI name
    version: str
    package: str  # the analysed source, relative to the sdist root
    tests: str  # the tests directory, relative to the sdist root
    pythonpath: str = "."  # where the package imports from, relative to the sdist root
    exclude: tuple[str, ...] = ("tests", "test")
    entry_points: tuple[str, ...] = ()  # an application's entry points (its scripts are read from its metadata)
    kind: str = "application"  # or "library": its public names are used outside it
    label: str = ""  # the name on the command line, when one sdist is measured twice
    #: what its tests need from PyPI beyond pytest: they then run in a venv of their own
    requires: tuple[str, ...] = ()
    pytest_args: tuple[str, ...] = ()  # to leave out tests too slow for TEST_TIMEOUT under coverage

    @property
    def key(self) -> str:
        return self.label or self.name


PROJECTS = {
    p.key: p for p in (
        Project("pyflakes", "4.1.0", "pyflakes", "pyflakes/test", entry_points=("pyflakes.api:main",)),
        Project("docutils", "0.23", "docutils", "test", entry_points=("docutils.__main__:main",), kind="library"),
        Project("docutils", "0.23", "docutils", "test", entry_points=("docutils.__main__:main",),
                label="docutils-app"),
        Project("toolz", "1.2.0", "toolz", "toolz/tests", kind="library"),
        Project("cachetools", "8.0.2", "src/cachetools", "tests", "src", kind="library"),
        # a trading codebase (backtesting.py: strategies, orders, trades, a simulated broker)
        Project("backtesting", "0.6.6", "backtesting", "backtesting/test", exclude=("test",), kind="library",
                requires=("numpy", "pandas", "bokeh", "matplotlib", "tqdm"),
                pytest_args=("-k", "not TestOptimize and not TestDocs")),
    )
}


def fetch(p: Project) -> Path:
    """The unpacked sdist of P."""
    root = CORPORA / f"{p.name}-{p.version}"
    if root.is_dir():
        return root
    CORPORA.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
                    f"{p.name}=={p.version}", "-d", str(CORPORA)], check=True)
    sdist = next(f for f in CORPORA.glob("*.tar.gz") if f.name.lower().replace("_", "-").startswith(
        f"{p.name}-{p.version}".lower()))
    with tarfile.open(sdist) as tar:
        tar.extractall(CORPORA, filter="data")
    unpacked = CORPORA / sdist.name[: -len(".tar.gz")]
    if unpacked != root:
        unpacked.rename(root)
    return root


def interpreter(p: Project) -> str:
    """The Python that runs P's tests: this one, or a venv with what they require (and the same
    coverage.py, whose data this process reads)."""
    if not p.requires:
        return sys.executable
    venv = CORPORA / f"venv-{p.name}"
    python = venv / "bin" / "python"
    if not python.exists():
        import coverage
        import pytest
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", f"coverage=={coverage.__version__}",
                        f"pytest=={pytest.__version__}", *p.requires], check=True)
    return str(python)


def run_tests(p: Project, root: Path) -> Path:
    """Run P's test suite under coverage (branch, the package only); the data file."""
    data = root / ".coverage.tests"
    if data.exists():
        return data
    env = dict(os.environ, PYTHONPATH=str(root / p.pythonpath))
    rcfile = CORPORA / "coveragerc"  # the project's own coverage settings may need plugins not installed
    rcfile.write_text("[run]\n")
    try:
        subprocess.run([interpreter(p), "-m", "coverage", "run", "--branch", f"--data-file={data}", f"--rcfile={rcfile}",
                        f"--include={root / p.package}{'/*' if (root / p.package).is_dir() else ''}", "-m", "pytest", "-q",
                        "-p", "no:cacheprovider", *p.pytest_args, p.tests], cwd=root, env=env, timeout=TEST_TIMEOUT,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:  # a partial data file would be taken for the suite's next time
        data.unlink(missing_ok=True)
        raise SystemExit(f"{p.key}: its tests ran over {TEST_TIMEOUT} s under coverage (TEST_TIMEOUT); "
                         "leave the slow ones out in its pytest_args")
    return data


def _config(p: Project, root: Path, tests: str) -> Config:
    return Config(root=root, source=[p.package], exclude=list(p.exclude), entry_points=list(p.entry_points),
                  project=p.kind, dead_code_tests=tests)


def _ran(findings, executed: set[str]) -> list:
    """The findings about a definition that executed (a module: imported) or in which some executed
    function lies."""
    out = []
    for f in findings:
        prefix = f.symbol + "."
        if f.symbol in executed or any(q.startswith(prefix) for q in executed):
            out.append(f)
    return out


def measure(p: Project, sample: int, tests: str) -> dict:
    root = fetch(p)
    data = run_tests(p, root)
    with_cov = analyse(_config(p, root, tests), coverage=[str(data)])
    functions = set(executed_functions(with_cov))
    executed = functions | executed_modules(with_cov)
    static = analyse(_config(p, root, tests), coverage=[])
    graph_only = list(DeadCode().check(static))
    proven = _ran(graph_only, executed)
    bands = Counter(f.properties["confidence"] for f in graph_only)
    false_bands = Counter(f.properties["confidence"] for f in proven)
    evidence = list(DeadCode().check(with_cov))
    if sample:
        _write_sample(p, root, graph_only, executed, sample)
    return {"project": f"{p.name} {p.version} ({p.kind})", "functions": sum(1 for _, d in static.callgraph.graph.nodes(data=True)
                                                                 if d["kind"] == "function"),
            "executed": len(functions), "findings": len(graph_only), "proven_false": len(proven),
            "bands": {b: (bands[b], false_bands[b]) for b in sorted(bands, reverse=True)},
            "with_coverage": len(evidence), "with_coverage_false": len(_ran(evidence, executed)),
            "gaps": len(with_cov.liveness.gaps)}


def _write_sample(p: Project, root: Path, findings, executed: set[str], n: int) -> None:
    rng = random.Random(14)
    picked = rng.sample(findings, min(n, len(findings)))
    out = []
    for f in sorted(picked, key=lambda f: (f.path, f.line)):
        lines = (root / f.path).read_text(encoding="utf-8").splitlines()
        ran = "EXECUTED in tests" if _ran([f], executed) else "not executed"
        out.append(f"## {f.symbol} ({f.properties['confidence']}%, {ran}) {f.path}:{f.line}\n"
                   + "\n".join(lines[f.line - 1: f.line + 7]) + "\n")
    (CORPORA / f"{p.key}-sample.txt").write_text("\n".join(out), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", default=list(PROJECTS))
    parser.add_argument("--sample", type=int, default=0)
    parser.add_argument("--tests", choices=("users", "ignore"), default="users")
    args = parser.parse_args()
    total = Counter()
    for name in args.names:
        r = measure(PROJECTS[name], args.sample, args.tests)
        total.update(findings=r["findings"], proven_false=r["proven_false"], with_coverage_false=r["with_coverage_false"])
        print(f"{r['project']}: {r['functions']} functions, {r['executed']} executed by its tests, "
              f"{r['gaps']} executed but unreachable in the graph")
        print(f"  KW102 on the graph alone: {r['findings']} findings, {r['proven_false']} proven false "
              f"({100 * r['proven_false'] / max(r['findings'], 1):.1f}%)")
        for band, (n, bad) in r["bands"].items():
            print(f"    confidence {band:3d}%: {n:3d} findings, {bad:3d} proven false ({100 * bad / max(n, 1):.0f}%)")
        print(f"  KW102 with the test coverage as evidence: {r['with_coverage']} findings, "
              f"{r['with_coverage_false']} proven false")
    print(f"all: {total['findings']} findings on the graph alone, {total['proven_false']} proven false "
          f"({100 * total['proven_false'] / max(total['findings'], 1):.1f}%); with coverage: "
          f"{total['with_coverage_false']} proven false")


if __name__ == "__main__":
    main()
