"""`python benchmarks/phased.py LOG ARGS...` runs `knightwatch ARGS...` and appends a line
`SECONDS PHASE` to LOG each time the main process enters a phase, for benchmarks/scaling.py.

The phases are marked by wrapping the functions that start them; a function that does not exist
(renamed since) is skipped, and its phase then counts with the one before it.
"""

from __future__ import annotations

import functools
import sys
import time

#: phase -> (module, object, function) whose call starts it, in the order they run
PHASES = {
    "parse+summarise": ("knightwatch.analysis", None, "_read_sources"),
    "call-graph rounds": ("knightwatch.graphs.callgraph", "CallGraph", "build"),
    "call-graph final pass": ("knightwatch.graphs.index", "Index", "forget_short"),
    "flags, reach, coverage": ("knightwatch.graphs.flags", "FlagGraph", "__init__"),
    "rules": ("knightwatch.engine", None, "run_rules"),
    "report": ("knightwatch.engine", None, "decide_inline"),
}


def _marking(log, phase: str, fn):
    @functools.wraps(fn)
    def marked(*args, **kwargs):
        log.write(f"{time.time():.3f} {phase}\n")
        log.flush()
        return fn(*args, **kwargs)
    return marked


def main() -> None:
    import importlib

    del sys.path[0]  # benchmarks/: its modules are not knightwatch's
    from knightwatch.cli import run as cli

    log = open(sys.argv[1], "a", encoding="utf-8")  # noqa: SIM115 - open until the process ends
    log.write(f"{time.time():.3f} start\n")
    for phase, (module, owner, name) in PHASES.items():
        holder = importlib.import_module(module)
        holder = getattr(holder, owner) if owner else holder
        if hasattr(holder, name):
            setattr(holder, name, _marking(log, phase, getattr(holder, name)))
    sys.argv = ["knightwatch", *sys.argv[2:]]
    cli()


if __name__ == "__main__":  # not when a process-pool worker re-imports the main module
    main()
