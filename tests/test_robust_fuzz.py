"""Fuzzing, the fast share: a few hundred hypothesis cases of mutated SMARS sources, configs and flag
registries through the real CLI (benchmarks/fuzz.py runs thousands). No traceback, exit 0/1/2 with
one-line errors, and every file Python cannot compile gets exactly one KW000 finding."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

FUZZ = Path(__file__).resolve().parent.parent / "benchmarks" / "fuzz.py"


def load_fuzz():
    """benchmarks/fuzz.py as a module (it is a script, not part of the package)."""
    if "kw_fuzz" not in sys.modules:
        spec = importlib.util.spec_from_file_location("kw_fuzz", FUZZ)
        module = sys.modules["kw_fuzz"] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return sys.modules["kw_fuzz"]


@pytest.fixture(scope="module")
def fuzz():
    return load_fuzz()


@pytest.mark.parametrize("kind, cases", [("sources", 100), ("config", 150)])
def test_fuzzed_inputs_never_crash_or_lose_a_file(fuzz, kind, cases):
    strategy = {"sources": fuzz.source_case(), "config": fuzz.config_case()}[kind]
    fuzz.fuzz(strategy, cases)


def test_the_oracle_tells_parsable_from_broken(fuzz):
    assert fuzz.expected_kw000(b"def f():\n    return 1\n") == {0}
    assert fuzz.expected_kw000(b"def f(\n") == {1}
    assert fuzz.expected_kw000(b"x = 1\nfrom __future__ import annotations\n") == {1}  # only the compiler refuses
    assert fuzz.expected_kw000(b"type Alias = int\n") == ({0} if hasattr(__import__("ast"), "TypeAlias") else {0, 1})


def test_a_failing_case_is_reported_not_swallowed(fuzz, tmp_path, monkeypatch):
    monkeypatch.setattr(fuzz, "expected_kw000", lambda data: {1})  # pretend every file is broken
    case = fuzz.Case((("smars/risk.py", fuzz.CORPUS["smars/risk.py"].encode()),))
    assert fuzz.check_case(case, tmp_path) == "smars/__init__.py: 0 KW000 finding(s), expected 1"
