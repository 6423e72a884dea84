"""Flags kept in configuration on a real trading bot (freqtrade, from its PyPI sdist): what the
value reads cost the per-file summaries, how long `knightwatch flags` takes with
`config-objects = ["self.config", "self._config"]`, and every config read found with its source
line, for a reader to judge precision (written to benchmarks/corpora/config_flags_reads.txt).

    python benchmarks/config_flags.py [--rounds N]
"""

from __future__ import annotations

import argparse
import ast
import gc
import json
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpora import CORPORA, trading_tree  # noqa: E402

from knightwatch.source import summary  # noqa: E402

CONFIG = """
[tool.knightwatch]
source = ["freqtrade"]

[tool.knightwatch.flags]
config-objects = ["self.config", "self._config"]
env-constants = true
"""


def summary_seconds(trees, with_reads: bool) -> float:
    """CPU seconds to summarise TREES, with or without the value reads (min over calls is taken by the caller)."""
    saved = summary.Summariser._chains, summary.Summariser._value_reads
    if not with_reads:
        summary.Summariser._chains = lambda self, *a, **k: []
        summary.Summariser._value_reads = lambda self, *a, **k: None
    try:
        gc.collect()
        start = time.process_time()
        for tree, text in trees:
            summary.summarise("m", False, tree, text)
        return time.process_time() - start
    finally:
        summary.Summariser._chains, summary.Summariser._value_reads = saved


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args()
    package = trading_tree()
    if package is None:
        return 2
    project = CORPORA / "freqtrade-config-flags"
    if not project.exists():
        shutil.copytree(package, project / "freqtrade")
        (project / "pyproject.toml").write_text(CONFIG)
    files = sorted((project / "freqtrade").rglob("*.py"))
    texts = [p.read_text(encoding="utf-8") for p in files]
    trees = [(ast.parse(t), t) for t in texts]
    with_reads, without = [], []
    for _ in range(args.rounds):  # alternated: the machine is shared, take each side's best
        without.append(summary_seconds(trees, False))
        with_reads.append(summary_seconds(trees, True))
    lines = sum(t.count("\n") for t in texts)
    print(f"freqtrade: {len(files)} files, {lines} lines")
    print(f"summaries: {min(without):.3f} s without value reads, {min(with_reads):.3f} s with "
          f"(+{100 * (min(with_reads) / min(without) - 1):.0f}% of this stage, CPU time, best of {args.rounds})")
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "knightwatch", "flags", str(project), "--format", "json", "--no-cache"],
                          capture_output=True, text=True, timeout=600)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        print(proc.stderr.strip().splitlines()[-1:])
        return 2
    flags = json.loads(proc.stdout)["flags"]
    reads = [(e["key"], r) for e in flags for r in e["reads"]]
    print(f"knightwatch flags: {wall:.1f} s wall, {len(flags)} keys, {len(reads)} reads")
    print("by source:", dict(Counter(r["accessor"] for _, r in reads).most_common()))
    out = CORPORA / "config_flags_reads.txt"
    with out.open("w", encoding="utf-8") as fh:
        for key, r in reads:
            text = (project / r["path"]).read_text(encoding="utf-8").splitlines()[r["line"] - 1].strip()
            fh.write(f"{key:40} {r['path']}:{r['line']:<6} via {r['via']:45} | {text[:100]}\n")
    print(f"every read, with its line: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
