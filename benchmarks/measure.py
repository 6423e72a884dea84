"""Run a command and measure its wall time and memory: the peak RSS of its largest process
(wait4) and the sampled peak of the sum over its whole process tree (the parse workers included)."""

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
    tree_mb: float  # sampled peak of the whole process tree
    processes: int  # most processes seen at once
    returncode: int
    cpu: float = 0.0  # user + system seconds of the process and the children it reaped (its workers)


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


def _tree_rss(pid: int) -> tuple[float, int]:
    """(MB resident, processes) of PID and its descendants."""
    total, count = 0, 0
    for p in process_tree(pid):
        try:
            total += int(Path(f"/proc/{p}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            count += 1
        except (OSError, IndexError, ValueError):
            pass
    return total / 2**20, count


def run(cmd: list[str], ok: tuple[int, ...] = (0,), env: dict[str, str] | None = None) -> Sample:
    """Run CMD (output discarded); SystemExit with its stderr when it exits with a code not in OK."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak, most = [0.0], [1]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(SAMPLE_SECONDS):
            mb, count = _tree_rss(proc.pid)
            peak[0], most[0] = max(peak[0], mb), max(most[0], count)

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
                  usage.ru_utime + usage.ru_stime)
