"""Every command that analyses a project shows its progress bar on a terminal, on stderr only (stdout
holds the report), and takes `--no-progress` as `check` does."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from knightwatch.cli import main

ROOT = Path(__file__).resolve().parent.parent
#: what rich writes to a terminal when a live display starts: it hides the cursor
CURSOR_HIDDEN = b"\x1b[?25l"


def test_every_command_that_analyses_a_project_takes_no_progress() -> None:
    analysing = sorted(name for name, cmd in main.commands.items() if any(p.name == "project_dir" for p in cmd.params))
    assert {"check", "audit", "flags", "baseline", "graph", "flip", "fix"} <= set(analysing)
    assert [n for n in analysing if not any(p.name == "no_progress" for p in main.commands[n].params)] == []


def _run_on_a_terminal(args: list[str]) -> tuple[bytes, bytes, int]:
    """(stdout, what reached the terminal on stderr, exit code) of `knightwatch ARGS`."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "knightwatch", *args], stdout=subprocess.PIPE, stderr=follower,
                            env={**os.environ, "COLUMNS": "100"})
    os.close(follower)
    out = proc.stdout.read()
    code = proc.wait(timeout=120)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal's other end closed
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    return out, seen, code


@pytest.mark.parametrize("quiet", [False, True], ids=["bar", "no-progress"])
def test_graph_shows_the_bar_on_stderr_only(quiet: bool) -> None:
    out, terminal, code = _run_on_a_terminal(["graph", str(ROOT / "fixtures" / "smars"), "--no-cache", "--format", "json",
                                              *(["--no-progress"] if quiet else [])])
    assert code == 0
    assert out.startswith(b"{") and b"\x1b[" not in out
    assert (CURSOR_HIDDEN in terminal) is not quiet
