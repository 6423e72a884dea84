"""The last resort at the command boundary: an exception knightwatch did not expect (a bug) ends the
`knightwatch` command with one line naming a crash report that holds the traceback, and exit 2."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

#: the real command, with one stage broken the way a bug would break it
BROKEN_CLI = textwrap.dedent("""
    import sys
    import knightwatch.engine

    def broken(*args, **kwargs):
        raise RuntimeError("the index lost a module\\nsecond line")

    knightwatch.engine.check = broken
    from knightwatch.cli import run
    sys.argv = ["knightwatch", *sys.argv[1:]]
    run()
""")


def test_an_unexpected_exception_is_one_line_and_a_crash_report(smars_dir, tmp_path):
    proc = subprocess.run([sys.executable, "-c", BROKEN_CLI, "check", str(smars_dir), "--no-cache"],
                          capture_output=True, text=True, timeout=120, env={"TMPDIR": str(tmp_path), "PATH": ""})

    assert proc.returncode == 2 and proc.stdout == ""
    (line,) = proc.stderr.splitlines()
    found = re.fullmatch(r"knightwatch: internal error: RuntimeError: the index lost a module "
                         r"\(details in (?P<path>\S+); please report it\)", line)
    assert found, line
    report = Path(found["path"])
    assert report.parent == tmp_path and report.name.startswith("knightwatch-crash-")
    text = report.read_text(encoding="utf-8")
    assert "command: knightwatch check" in text
    assert "Traceback (most recent call last)" in text and "RuntimeError: the index lost a module" in text


def test_usage_errors_are_not_internal_errors(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "knightwatch", "check", str(tmp_path / "missing")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "internal error" not in proc.stderr and "Traceback" not in proc.stderr
