"""What collecting production coverage costs: one workload (book.py, a pure-Python order book)
run plain and under each collector, CPU time of the run compared with the plain run.

    python benchmarks/collectors/run.py [--orders 200000] [--repeat 3]

Collectors: coverage.py's default core (lines; branches), `COVERAGE_CORE=sysmon` (Python 3.12+
only: `sys.monitoring` does not exist before; said so when unavailable), and SlipCover (lines;
branches). CPU time (user + system of the child), not wall time, so other load on the machine
weighs less; medians of REPEAT runs.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORKLOAD = HERE / "book.py"


def cpu(cmd: list[str], env: dict[str, str] | None = None) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, env=env, check=True, capture_output=True, timeout=600, cwd=HERE)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    out = Path(tempfile.mkdtemp(prefix="kw-collectors-"))
    py, work = sys.executable, [str(WORKLOAD), str(args.orders)]
    env = dict(os.environ)
    sysmon = {**env, "COVERAGE_CORE": "sysmon"}
    runs = {
        "plain": ([py, *work], env),
        "coverage.py, lines": ([py, "-m", "coverage", "run", f"--data-file={out / 'c1'}", *work], env),
        "coverage.py, branches": ([py, "-m", "coverage", "run", "--branch", f"--data-file={out / 'c2'}", *work], env),
    }
    if sys.version_info >= (3, 12):
        runs["coverage.py sysmon, lines"] = ([py, "-m", "coverage", "run", f"--data-file={out / 'c3'}", *work], sysmon)
        runs["coverage.py sysmon, branches"] = (
            [py, "-m", "coverage", "run", "--branch", f"--data-file={out / 'c4'}", *work], sysmon)
    runs["slipcover, lines"] = ([py, "-m", "slipcover", "--json", "--out", str(out / "s1.json"), *work], env)
    runs["slipcover, branches"] = ([py, "-m", "slipcover", "--branch", "--json", "--out", str(out / "s2.json"), *work],
                                   env)
    print(f"workload: {WORKLOAD.name} {args.orders} orders, Python {sys.version.split()[0]}, "
          f"median CPU of {args.repeat} runs (load average {os.getloadavg()[0]:.1f})")
    if sys.version_info < (3, 12):
        print("  COVERAGE_CORE=sysmon: unavailable on this Python (sys.monitoring needs 3.12+)")
    plain = None
    for name, (cmd, run_env) in runs.items():
        seconds = statistics.median(cpu(cmd, run_env) for _ in range(args.repeat))
        plain = plain or seconds
        print(f"  {name:<30} {seconds:6.2f} s CPU   overhead {100 * (seconds / plain - 1):+6.0f} %")


if __name__ == "__main__":
    main()
