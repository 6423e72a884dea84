"""The fixtures: knightwatch finds every planted condition, with the right rule and severity on the right
line, and nothing else (inline `# expect:` comments, compared exactly). SMARS reproduces Knight's
conditions; Halyard plants them in typed, dataclass, registry, callback and async code."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from expectations import actual_findings, expected_findings

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
FIXTURE_HOSTS = [
    pytest.param("smars", [f"nyc-smars-0{i}" for i in range(1, 9)], id="smars"),
    pytest.param("halyard", [f"ld4-halyard-0{i}" for i in range(1, 6)], id="halyard"),
]


def run_check(project, *args):
    return subprocess.run([sys.executable, "-m", "knightwatch", "check", str(project), "--no-cache", *args],
                          capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize(("name", "hosts"), FIXTURE_HOSTS)
def test_fixture_findings_match_inline_expectations_exactly(name, hosts):
    proc = run_check(FIXTURES / name, "--format", "json")
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert report["summary"]["hosts"] == hosts
    expected = expected_findings(FIXTURES / name)
    actual = actual_findings(report["findings"])
    missing = expected - actual
    unexpected = actual - expected
    assert not missing and not unexpected, f"missing: {sorted(missing)}\nunexpected: {sorted(unexpected)}"


@pytest.mark.parametrize("name", ["smars", "halyard"])
def test_every_knight_condition_is_planted(name):
    rules = {rule for (_, _, rule, _) in expected_findings(FIXTURES / name)}
    assert {"KW101", "KW102", "KW201", "KW202", "KW301", "KW401"} <= rules


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_halyard_is_checked_without_a_traceback(fmt):
    proc = run_check(FIXTURES / "halyard", "--format", fmt, "--no-progress")
    assert proc.returncode == 1 and not proc.stderr.strip(), proc.stderr
    assert "Traceback" not in proc.stdout


def test_text_report_explains_the_power_peg_path(smars_dir):
    proc = run_check(smars_dir, "--no-progress")
    assert proc.returncode == 1, proc.stderr
    out = proc.stdout
    assert "KW301 breaker-out-of-reach" in out and "power_peg" in out
    assert "nyc-smars-08" in out  # the host that was missed
    assert "smars/server.py" in out  # the entry of the explaining path


def test_fail_on_threshold(smars_dir):
    assert run_check(smars_dir, "--format", "json", "--select", "KW102").returncode == 1
    low_only = run_check(smars_dir, "--format", "json", "--select", "KW102", "--fail-on", "medium")
    assert low_only.returncode == 0, low_only.stderr
    assert json.loads(low_only.stdout)["summary"]["by_rule"] == {"KW102": 2}
