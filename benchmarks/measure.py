"""Run a command and measure its wall time and memory: the peak RSS of its largest process
(wait4) and the sampled peaks of the sums over its whole process tree (the parse workers included)
of RSS and of PSS (proportional set size: a page shared by n processes counts 1/n in each, so the
forked workers' copy-on-write pages are not counted twice; issue 18 measures memory by it)."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

SAMPLE_SECONDS = 0.02


@dataclass(frozen=True)
class Sample:
    seconds: float
    rss_mb: float  # peak of the largest single process
    tree_mb: float  # sampled peak of the whole process tree's RSS
    processes: int  # most processes seen at once
    returncode: int
    cpu: float = 0.0  # user + system seconds of the process and the children it reaped (its workers)
    pss_mb: float = 0.0  # sampled peak of the whole process tree's PSS (its RSS where no PSS is shown)


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rpartition(")")[2].split()[1])
            tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def process_tree(pid: int) -> list[int]:
    """PID and its descendants."""
    children, todo, found = _children(), [pid], []
    while todo:
        p = todo.pop()
        found.append(p)
        todo += children.get(p, [])
    return found


def _pss_kb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


def _tree_memory(pid: int) -> tuple[float, float, int]:
    """(MB resident, MB proportional, processes) of PID and its descendants."""
    rss, pss, count = 0, 0, 0
    for p in process_tree(pid):
        try:
            resident = int(Path(f"/proc/{p}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
        proportional = _pss_kb(p)
        rss += resident
        pss += resident if proportional is None else proportional * 1024
        count += 1
    return rss / 2**20, pss / 2**20, count


def run(cmd: list[str], ok: tuple[int, ...] = (0,), env: dict[str, str] | None = None) -> Sample:
    """Run CMD (output discarded); SystemExit with its stderr when it exits with a code not in OK."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak, pss_peak, most = [0.0], [0.0], [1]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(SAMPLE_SECONDS):
            mb, pss, count = _tree_memory(proc.pid)
            peak[0], pss_peak[0], most[0] = max(peak[0], mb), max(pss_peak[0], pss), max(most[0], count)

    sampler = threading.Thread(target=sample, daemon=True) if Path("/proc").is_dir() else None
    if sampler:
        sampler.start()
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    stop.set()
    if sampler:
        sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in ok:
        raise SystemExit(f"{' '.join(map(str, cmd))} exited {proc.returncode}:\n{stderr.decode(errors='replace')[-2000:]}")
    return Sample(seconds, usage.ru_maxrss / 1024, max(peak[0], usage.ru_maxrss / 1024), most[0], proc.returncode,
                  usage.ru_utime + usage.ru_stime, pss_peak[0])
