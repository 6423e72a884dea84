"""Speed and scale benchmark: knightwatch against vulture on the stdlib and on freqtrade.

    python benchmarks/run.py [--repeat 3] [--no-trading] [--no-profile] [--edits-only] [--no-compiled]

Prepares the corpora (see corpora.py), then runs `vulture TREE` and `knightwatch check TREE
--format json --output out.json` (no configuration; cold = a fresh --cache-dir, warm = the same
again; then one file edited: a comment appended, which changes no summary but for positions, and
a line of code appended, which changes one) alternately, prints medians, peak memory, 25/50/100 %
scaling, the time to join eight hosts' real coverage, and a py-spy profile of one cold run. The
last lines compare with the targets. On the stdlib, every knightwatch run is made twice: by the
source as it is (pure Python) and by the compiled build (the mypyc wheel setup.py makes, unpacked).
Both tools run as `python -m TOOL` with bytecode cached under benchmarks/.work (not in the repo).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
import zipfile
from importlib.metadata import version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpora  # noqa: E402
from measure import Sample, run  # noqa: E402

WORK = Path(__file__).resolve().parent / ".work"
TARGETS = {"cold": 0.8, "warm": 0.05, "edited": 0.1, "memory_mb": 1024, "join_s": 2.0}
EDITS = {"comment appended": b"\n# touched by the benchmark\n", "code line appended": b"\nkw_benchmark_touch = 1\n"}
KW_OK = (0, 1)  # 1: findings
VULTURE_OK = (0, 3)  # 3: dead code found
SNAPSHOT = WORK / "snapshot"
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {
    "PYTHONPYCACHEPREFIX": str(WORK / "pycache"), "PYTHONPATH": str(SNAPSHOT)}
#: the compiled build (setup.py, mypyc) of the same source, unpacked from its wheel
COMPILED = WORK / "compiled"
COMPILED_ENV = ENV | {"PYTHONPATH": str(COMPILED)}


def snapshot() -> str:
    """Copy knightwatch's source as it is now, so edits made while the benchmark runs do not mix in."""
    import knightwatch
    import knightwatch.rules
    from knightwatch.source.cache import tool_digest

    shutil.rmtree(SNAPSHOT, ignore_errors=True)
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(Path(knightwatch.__file__).parent, SNAPSHOT / "knightwatch", ignore=ignore)
    shutil.copytree(Path(knightwatch.rules.__file__).parent, SNAPSHOT / "knightwatch" / "rules", ignore=ignore,
                    dirs_exist_ok=True)
    return tool_digest().hex()[:12]


def compiled_build() -> None:
    """Build the compiled wheel (KNIGHTWATCH_COMPILE=1: no fallback) of the repository, unpacked into COMPILED."""
    wheels = WORK / "wheel"
    shutil.rmtree(wheels, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(Path(__file__).resolve().parent.parent), "--no-deps",
                    "--no-build-isolation", "-q", "-w", str(wheels)], env=os.environ | {"KNIGHTWATCH_COMPILE": "1"},
                   check=True)
    shutil.rmtree(COMPILED, ignore_errors=True)
    with zipfile.ZipFile(next(wheels.glob("knightwatch-*.whl"))) as zf:
        zf.extractall(COMPILED)


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{model}, {cores} cores, {memory:.0f} GB RAM, {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}, knightwatch {version('knightwatch')}, vulture {version('vulture')}")


def kw_cmd(tree: Path, cache: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "knightwatch", "check", str(tree), "--format", "json", "--output",
            str(WORK / "out.json"), "--cache-dir", str(cache), "--no-progress", *extra]


def timed(cmd: list[str], ok: tuple[int, ...], env: dict[str, str] = ENV) -> Sample:
    return run(cmd, ok, env=env)


def fresh_cache() -> Path:
    cache = WORK / "cache"
    shutil.rmtree(cache, ignore_errors=True)
    return cache


def compare(tree: Path, repeat: int, warm: bool = True, touched: Path | None = None,
            compiled: bool = False) -> dict[str, list[Sample]]:
    """vulture, knightwatch cold and (optionally) warm, alternately REPEAT times; with TOUCHED, also a
    run after each of the EDITS to that file (the other summaries cached, the run result not). With
    COMPILED, each knightwatch run is also made by the compiled build (kinds suffixed " compiled")."""
    builds = {"": ENV, " compiled": COMPILED_ENV} if compiled else {"": ENV}
    results: dict[str, list[Sample]] = {"vulture": []}
    for _ in range(repeat):
        results["vulture"].append(timed([sys.executable, "-m", "vulture", str(tree)], VULTURE_OK))
        for suffix, env in builds.items():
            cache = fresh_cache()
            results.setdefault("cold" + suffix, []).append(timed(kw_cmd(tree, cache), KW_OK, env))
            if warm:
                results.setdefault("warm" + suffix, []).append(timed(kw_cmd(tree, cache), KW_OK, env))
            if touched is not None:
                original = touched.read_bytes()
                try:
                    for kind, line in EDITS.items():
                        touched.write_bytes(original + line)
                        results.setdefault(kind + suffix, []).append(timed(kw_cmd(tree, cache), KW_OK, env))
                finally:
                    touched.write_bytes(original)
    return results


def median(samples: list[Sample], attr: str = "seconds") -> float:
    return statistics.median(getattr(s, attr) for s in samples)


def show(name: str, results: dict[str, list[Sample]]) -> None:
    base = median(results["vulture"])
    for kind, samples in results.items():
        times = " ".join(f"{s.seconds:.2f}" for s in samples)
        ratio = "" if kind == "vulture" else f"  {median(samples) / base:.2f}x vulture"
        print(f"  {name:<22} {kind:<17} median {median(samples):6.2f} s  [{times}]  CPU {median(samples, 'cpu'):6.2f} s"
              f"  peak {median(samples, 'rss_mb'):4.0f} MB"
              f" (process tree: RSS {max(s.tree_mb for s in samples):4.0f} MB, PSS {max(s.pss_mb for s in samples):4.0f} MB,"
              f" {max(s.processes for s in samples)} proc.){ratio}")


def coverage_join(tree: Path, data_files: list[Path], repeat: int) -> tuple[float, str]:
    """Median seconds of knightwatch's join of the hosts' data to TREE's sources, and what it found."""
    from knightwatch.production.coverage_join import load_coverage
    from knightwatch.source.parse import decode
    from knightwatch.source.sources import discover

    root = tree.resolve()
    sources = {sf.relpath: decode(sf.abspath.read_bytes()) for sf in discover(root, [], [], [])}
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        join = load_coverage(data_files, root, sources)
        times.append(time.perf_counter() - started)
    files = sum(1 for rel in sources if join.executed(rel))
    fatal = [p.message for p in join.problems if p.fatal]
    what = (f"{len(join.hosts)} hosts, {files} files executed, branch data {join.has_arcs}, "
            f"{len(join.problems)} problems ({len(fatal)} fatal)")
    return statistics.median(times), what


PROFILE_RATE = 250  # samples a second
#: stages of a run: the function (file:name, as py-spy shows it) whose samples, callees included, make it up
STAGES = [("read+parse+summarise", "analysis.py:_read_sources"), ("index", "index.py:Index.__init__"),
          ("call graph", "callgraph.py:CallGraph.build"),
          ("  of which parameter-flow rounds", "callgraph.py:CallGraph._bind_params"),
          ("flag graph", "flags.py:FlagGraph.__init__"), ("reachability", "reach.py:reachable"),
          ("rules", "engine.py:run_rules"), ("inline ignores", "engine.py:decide_inline"),
          ("report", "__init__.py:render")]


def _frame(frame: str) -> str:
    """`Index.resolve (lint/graphs/index.py:421)` -> `index.py:Index.resolve` (one entry per function)."""
    name, _, where = frame.rpartition(" (")
    return f"{Path(where.rsplit(':', 1)[0]).name}:{name}" if name else frame


def profile(tree: Path, top: int = 12) -> None:
    """One cold run sampled by py-spy, parse workers included: time by stage and the functions
    that take it. Skipped, with a note, where py-spy cannot attach (no ptrace permission)."""
    out = WORK / "cold.spy"
    out.unlink(missing_ok=True)
    spy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
    if spy is None:
        print("  profile: skipped (py-spy is not installed: pip install -e '.[bench]')")
        return
    proc = subprocess.run([spy, "record", "--subprocesses", "--rate", str(PROFILE_RATE), "--format", "raw",
                           "--output", str(out), "--", *kw_cmd(tree, fresh_cache())],
                          env=ENV, capture_output=True, text=True)
    if proc.returncode not in KW_OK or not out.exists():
        print(f"  profile: skipped (py-spy exited {proc.returncode}: {(proc.stderr or '').strip().splitlines()[-1:]})")
        return
    own: dict[str, int] = {}
    inclusive: dict[str, int] = {}
    samples = {"main": 0, "workers": 0}
    for line in out.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        processes = sum(1 for f in frames if f.startswith("process "))
        names = [_frame(f) for f in frames if not f.startswith("process ")]
        n, where = int(count), "main" if processes <= 1 else "workers"
        samples[where] += n
        if names:
            own[names[-1]] = own.get(names[-1], 0) + n
        for name in set(names) if where == "main" else ():  # a forked worker shows its parent's frames too
            inclusive[name] = inclusive.get(name, 0) + n
    seconds = {k: v / PROFILE_RATE for k, v in samples.items()}
    print(f"  profile of one cold run (py-spy, {PROFILE_RATE} samples/s, busy time of every thread): main process "
          f"{seconds['main']:.2f} s, parse workers {seconds['workers']:.2f} s in all")
    stages = {label: inclusive.get(func, 0) / PROFILE_RATE for label, func in STAGES}
    print("  stages (main process; while the workers parse it only waits, which is not sampled):")
    stages["other (start-up, run stamp, cache, pool threads, exit)"] = seconds["main"] - sum(
        secs for label, secs in stages.items() if not label.startswith(" "))
    for label, secs in stages.items():
        print(f"    {label:<54} {secs:6.2f} s")
    print("  functions by own time (all processes):")
    for name, n in sorted(own.items(), key=lambda kv: -kv[1])[:top]:
        print(f"    {n / PROFILE_RATE:6.2f} s  {name}")


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def ratios(name: str, lines: int, results: dict[str, list[Sample]]) -> None:
    """Each kind of knightwatch run against vulture in the same runs, with its target."""
    vulture = median(results["vulture"])
    print(f"== {name}, {lines:,} lines; vulture median {vulture:.2f} s (spread "
          f"{min(s.seconds for s in results['vulture']):.2f}-{max(s.seconds for s in results['vulture']):.2f})")
    targets = [("cold", TARGETS["cold"]), ("warm", TARGETS["warm"])] + [(k, TARGETS["edited"]) for k in EDITS]
    targets += [(kind + " compiled", target) for kind, target in targets if kind + " compiled" in results]
    for kind, target in targets:
        mid = median(results[kind])
        spread = f"{min(s.seconds for s in results[kind]):.2f}-{max(s.seconds for s in results[kind]):.2f}"
        cpu = median(results[kind], "cpu") / median(results["vulture"], "cpu")
        print(f"{kind + ' / vulture':<32} = {mid / vulture:.3f}x ({mid:.2f} s, spread {spread}; "
              f"target <= {target}x) {verdict(mid / vulture <= target)}; CPU time {cpu:.3f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each tool per tree (>= 3 for the README)")
    parser.add_argument("--no-trading", action="store_true", help="skip the freqtrade corpus")
    parser.add_argument("--no-profile", action="store_true", help="skip the profiled run")
    parser.add_argument("--edits-only", action="store_true",
                        help="only the stdlib: vulture, cold, unchanged and one file edited")
    parser.add_argument("--no-compiled", action="store_true",
                        help="skip the compiled build (mypyc wheel) beside the pure-Python source on the stdlib")
    args = parser.parse_args()
    WORK.mkdir(exist_ok=True)
    print(f"machine: {machine()}")
    print(f"knightwatch: a snapshot of the source (digest {snapshot()}) in {SNAPSHOT}")
    if not args.no_compiled:
        print("building the compiled wheel (mypyc)")
        started = time.perf_counter()
        compiled_build()
        print(f"  built in {time.perf_counter() - started:.0f} s, unpacked in {COMPILED}")

    print("preparing corpora")
    stdlib = corpora.stdlib_tree()
    files, lines = corpora.count_lines(stdlib)
    print(f"  {stdlib.name}: {files} files, {lines:,} lines (Lib/ without tests, site-packages)")
    if args.edits_only:
        print("warming up (bytecode, file cache)")
        timed([sys.executable, "-m", "vulture", str(stdlib)], VULTURE_OK)
        print(f"timing ({args.repeat} alternating runs each; seconds)")
        main_results = compare(stdlib, args.repeat, touched=stdlib / "json" / "decoder.py",
                               compiled=not args.no_compiled)
        show(stdlib.name, main_results)
        ratios(stdlib.name, lines, main_results)
        return
    scaled = {pct: corpora.subset(stdlib, pct) for pct in (25, 50, 100)}
    for pct, tree in scaled.items():
        print(f"  {pct:3d} %: {tree.name}: {corpora.count_lines(tree)[1]:,} lines")
    trading = None if args.no_trading else corpora.trading_tree()
    if trading:
        print(f"  {trading.parent.name}/{trading.name}: {corpora.count_lines(trading)[0]} files, "
              f"{corpora.count_lines(trading)[1]:,} lines (sdist from PyPI)")
    data_files, spent = corpora.host_coverage()
    print(f"  coverage: {len(data_files)} hosts, stdlib test slices run under coverage.py --branch"
          + (f" ({spent:.0f} s)" if spent else " (reused)"))

    print("warming up (bytecode, file cache)")
    timed([sys.executable, "-m", "vulture", str(scaled[25])], VULTURE_OK)
    timed(kw_cmd(scaled[25], fresh_cache()), KW_OK)

    print(f"timing ({args.repeat} alternating runs each; seconds)")
    main_results = compare(stdlib, args.repeat, touched=stdlib / "json" / "decoder.py", compiled=not args.no_compiled)
    show(stdlib.name, main_results)
    if trading:
        show(trading.parent.name, compare(trading, args.repeat))
    scaling = {100: median(main_results["cold"])}
    for pct in (25, 50):
        results = compare(scaled[pct], args.repeat, warm=False)
        show(scaled[pct].name, results)
        scaling[pct] = median(results["cold"])

    join_s, join_what = coverage_join(stdlib, data_files, args.repeat)
    print(f"  coverage join: median {join_s:.2f} s; {join_what}")
    with_cov = timed(kw_cmd(stdlib, fresh_cache(), "--coverage", str(data_files[0].parent / ".coverage.*")), KW_OK)
    report = json.loads((WORK / "out.json").read_text())
    print(f"  full cold check with the eight hosts' coverage: {with_cov.seconds:.2f} s, "
          f"{report['summary']['findings']} findings, hosts {report['summary']['hosts']}")
    if not args.no_profile:
        profile(stdlib)

    # issue 18 measures memory as the process tree's PSS: forked workers' shared pages count once
    memory = max(s.pss_mb for kind in ("cold", "warm", *EDITS) for s in main_results[kind])
    if not args.no_compiled:
        compiled_mb = max(s.pss_mb for kind in ("cold", "warm", *EDITS) for s in main_results[kind + " compiled"])
        print(f"peak memory (process tree PSS) of the compiled build {compiled_mb:.0f} MB")
    per = {pct: scaling[pct] / pct * 100 for pct in scaling}
    print(f"== {stdlib.name}, {lines:,} lines; {machine()}")
    print("scaling (cold): " + ", ".join(f"{pct} % {scaling[pct]:.2f} s" for pct in (25, 50, 100))
          + f"; seconds per full-tree equivalent {per[25]:.2f} / {per[50]:.2f} / {per[100]:.2f}")
    ratios(stdlib.name, lines, main_results)
    print(f"peak memory (process tree PSS) {memory:.0f} MB (target <= {TARGETS['memory_mb']} MB) "
          f"{verdict(memory <= TARGETS['memory_mb'])}")
    print(f"coverage join {join_s:.2f} s for {len(data_files)} hosts (target < {TARGETS['join_s']} s) "
          f"{verdict(join_s < TARGETS['join_s'])}")


if __name__ == "__main__":
    main()
