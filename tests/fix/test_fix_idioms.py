"""The Piranha-style pairs of `idioms/`: each command turns the input project into the expected one,
the result imports and runs its entry point, and a second identical fix changes nothing."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner
from idioms import cases, snapshot

from knightwatch.cli import main

CASES = cases()


def fix(root, *args):
    result = CliRunner().invoke(main, ["fix", str(root), "--no-cache", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def test_there_are_at_least_thirty_idioms():
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_idiom(case, tmp_path):
    root = tmp_path / "project"
    case.write(root)
    result = fix(root, *case.command)
    assert result.exit_code == 0, result.stderr
    assert snapshot(root) == case.want()
    run = subprocess.run([sys.executable, "-c", "import asyncio, inspect\nfrom app.main import main\n"
                          "r = main()\nasyncio.run(r) if inspect.iscoroutine(r) else r"],
                         cwd=root, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert fix(root, *case.command).exit_code == 0
    assert snapshot(root) == case.want()  # idempotent
