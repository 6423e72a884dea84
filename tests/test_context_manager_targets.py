"""`with cm() as x` / `async with cm() as x` where cm is a `@contextmanager` / `@asynccontextmanager`
generator: x is what it yields, so calls on x resolve (issue 14: such targets were untyped, and the
methods called on them reported dead). The two suite cases' graphs are compared exactly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from knightwatch.cli import main

CASES = Path(__file__).resolve().parent / "callgraph" / "generators"


@pytest.mark.parametrize("case", ["contextmanager_as", "asynccontextmanager_as"])
def test_a_context_manager_target_is_what_the_generator_yields(case):
    result = CliRunner().invoke(main, ["graph", str(CASES / case), "--format", "pycg"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == json.loads((CASES / case / "callgraph.json").read_text())
