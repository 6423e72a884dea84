"""Scaling benchmark: knightwatch cold against vulture on 25/50/100 % of the monorepo corpus.

    python benchmarks/scaling.py [--percent 25 50 100] [--mem-cap 6] [--time-cap 600]

Prepares the monorepo corpus (corpora.monorepo_tree, more than 3 million lines) and its subsets,
then, for each percentage, runs `vulture TREE` and `knightwatch check TREE --no-cache` (through
phased.py, which logs when each phase starts) and prints wall time, CPU time (user + system of the
process and the children it waited for), and peak memory as the sampled sum of PSS over the whole
process tree (/proc/PID/smaps_rollup; a page shared by the parse workers counts once), USS beside it.
A watchdog kills the process tree when the PSS sum passes --mem-cap GB or the run passes --time-cap
seconds, and the run is reported as stopped there, with the phase it was in.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpora  # noqa: E402
from measure import process_tree  # noqa: E402

WORK = Path(__file__).resolve().parent / ".work"
PHASED = Path(__file__).resolve().parent / "phased.py"
SAMPLE_SECONDS = 0.2  # reading smaps_rollup of a process of several GB takes milliseconds
KW_OK = (0, 1)  # 1: findings
VULTURE_OK = (0, 1, 3)  # 1: a file it cannot parse (the stdlib's tests have some), 3: dead code found


@dataclass
class Measured:
    wall: float = 0.0
    cpu: float = 0.0
    pss_mb: float = 0.0  # sampled peak of the PSS sum over the process tree
    uss_mb: float = 0.0  # sampled peak of the USS sum over the process tree
    stopped: str = ""  # why the watchdog killed it, if it did
    failed: str = ""  # the end of stderr when it exited with an unexpected code
    phases: dict[str, float] = field(default_factory=dict)  # phase -> seconds
    phase_pss: dict[str, float] = field(default_factory=dict)  # phase -> peak PSS sum (MB)


def _tree_memory(pid: int) -> tuple[float, float]:
    """(PSS, USS) in MB summed over PID and its descendants."""
    pss, uss = 0, 0
    for p in process_tree(pid):
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                key, _, rest = line.partition(":")
                if key == "Pss":
                    pss += int(rest.split()[0])
                elif key in ("Private_Clean", "Private_Dirty"):
                    uss += int(rest.split()[0])
        except (OSError, ValueError, IndexError):
            pass  # gone meanwhile
    return pss / 1024, uss / 1024


def _phase_now(log: Path | None) -> tuple[str, float]:
    """The phase the run is in and when it began, from phased.py's LOG."""
    if log is None or not log.exists():
        return "start", 0.0
    lines = log.read_text().split("\n")
    last = [line for line in lines if line][-1:] or ["0 start"]
    stamp, _, phase = last[0].partition(" ")
    return phase, float(stamp)


def _phase_times(log: Path, ended: float) -> dict[str, float]:
    """Seconds spent in each phase (summed when one comes twice)."""
    marks = [(float(s), p) for s, _, p in (line.partition(" ") for line in log.read_text().splitlines() if line)]
    times: dict[str, float] = {}
    for (at, phase), (nxt, _) in zip(marks, [*marks[1:], (ended, "")]):
        times[phase] = times.get(phase, 0.0) + nxt - at
    return times


def measure(cmd: list[str], ok: tuple[int, ...], mem_cap_mb: float, time_cap: float,
            log: Path | None = None) -> Measured:
    """Run CMD in a session of its own under the watchdog."""
    if log is not None:
        log.unlink(missing_ok=True)
    result = Measured()
    started = time.time()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    stop = threading.Event()

    def watch() -> None:
        while not stop.wait(SAMPLE_SECONDS):
            pss, uss = _tree_memory(proc.pid)
            phase, _ = _phase_now(log)
            result.pss_mb, result.uss_mb = max(result.pss_mb, pss), max(result.uss_mb, uss)
            result.phase_pss[phase] = max(result.phase_pss.get(phase, 0.0), pss)
            over = (f"{mem_cap_mb / 1024:g} GB" if pss > mem_cap_mb else
                    f"{time_cap:.0f} s" if time.time() - started > time_cap else "")
            if over and not result.stopped:
                result.stopped = f"stopped at {over} in phase {phase} (after {time.time() - started:.0f} s)"
                os.killpg(proc.pid, signal.SIGKILL)  # the session started for CMD: only its processes

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    result.wall = time.time() - started
    stop.set()
    watcher.join()
    result.cpu = usage.ru_utime + usage.ru_stime
    code = os.waitstatus_to_exitcode(status)
    if not result.stopped and (code not in ok or b"Traceback" in stderr):
        result.failed = f"exit {code}: " + stderr.decode(errors="replace").strip().splitlines()[-1][:200]
    if log is not None and log.exists():
        result.phases = _phase_times(log, started + result.wall)
    return result


def _row(name: str, m: Measured, base: Measured | None) -> str:
    ratio = f"  {m.wall / base.wall:5.2f}x vulture wall, {m.pss_mb / base.pss_mb:5.2f}x memory" \
        if base and base.wall and base.pss_mb and not m.stopped else ""
    outcome = m.stopped or m.failed or "completed"
    return (f"    {name:<12} wall {m.wall:7.1f} s  CPU {m.cpu:7.1f} s  PSS sum {m.pss_mb:6.0f} MB  "
            f"USS sum {m.uss_mb:6.0f} MB{ratio}  [{outcome}]")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--percent", type=int, nargs="+", default=[25, 50, 100], help="subsets of the corpus")
    parser.add_argument("--mem-cap", type=float, default=6.0, help="GB of PSS (summed) at which a run is killed")
    parser.add_argument("--time-cap", type=float, default=600.0, help="seconds after which a run is killed")
    parser.add_argument("--no-vulture", action="store_true", help="knightwatch only")
    args = parser.parse_args()
    WORK.mkdir(exist_ok=True)
    cap = args.mem_cap * 1024
    tree = corpora.monorepo_tree()
    print(f"corpus {tree.name}: " + ", ".join(f"{r}" for r in corpora.MONOREPO_SDISTS)
          + f", the stdlib of Python {sys.version_info[0]}.{sys.version_info[1]} with its tests")
    log = WORK / "phases.log"
    for pct in args.percent:
        sub = corpora.subset(tree, pct)
        files, lines = corpora.count_lines(sub)
        print(f"== {pct} %: {sub.name}, {files:,} files, {lines:,} lines")
        vulture = None if args.no_vulture else measure(
            [sys.executable, "-m", "vulture", str(sub)], VULTURE_OK, cap, args.time_cap)
        if vulture:
            print(_row("vulture", vulture, None), flush=True)
        kw = measure([sys.executable, str(PHASED), str(log), "check", str(sub), "--no-cache", "--no-progress",
                      "--format", "json", "--output", str(WORK / "scaling.json")], KW_OK, cap, args.time_cap, log)
        print(_row("knightwatch", kw, vulture))
        for phase, seconds in kw.phases.items():
            print(f"      {phase:<24} {seconds:7.1f} s  peak PSS sum {kw.phase_pss.get(phase, 0):6.0f} MB")
        print(f"      per million lines: knightwatch {kw.wall / lines * 1e6:.1f} s"
              + (f", vulture {vulture.wall / lines * 1e6:.1f} s" if vulture else ""), flush=True)


if __name__ == "__main__":
    main()
