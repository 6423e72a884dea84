"""KW502 kill-switch liveness on fixtures/killswitch: a switch a refactor moved off one path to the
sink, and one whose on-branch no test runs (test coverage made by really running the fixture's
tests under coverage.py), compared exactly with the inline `# expect:` comments."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from expectations import actual_findings, expected_findings
from projects import check_json
from test_suppressions import scratch_fixture

KILLSWITCH = Path(__file__).resolve().parent.parent / "fixtures" / "killswitch"


@pytest.fixture(scope="module")
def desk(tmp_path_factory) -> tuple[Path, Path]:
    """A copy of the fixture and the coverage data of its own test suite."""
    root = scratch_fixture(KILLSWITCH, tmp_path_factory.mktemp("ks") / "desk")
    data = root.parent / "testcov"
    subprocess.run([sys.executable, "-m", "coverage", "run", "--branch", f"--data-file={data}", "-m", "pytest",
                    "-q", "-p", "no:cacheprovider", "tests"], cwd=root, check=True, capture_output=True, timeout=120)
    return root, data


def test_findings_match_inline_expectations_exactly(desk):
    root, data = desk
    code, report, err = check_json(root, "--test-coverage", str(data))
    assert code == 1, err
    expected, actual = expected_findings(root), actual_findings(report["findings"])
    assert actual == expected, f"missing: {sorted(expected - actual)}\nunexpected: {sorted(actual - expected)}"
    moved = next(f for f in report["findings"] if f["rule"] == "KW502" and f["severity"] == "critical")
    assert "kill switch 'desk.halt-orders' cannot stop this call of desk.venue.Venue.submit" in moved["message"]
    assert [(s["path"], s["line"]) for s in moved["trace"]] == [("desk/app.py", 17), ("desk/orders.py", 22)]


def test_without_test_coverage_only_the_unswitched_sink(desk):
    root, _ = desk
    code, report, _ = check_json(root, "--select", "KW502")
    assert code == 1 and [(f["path"], f["line"], f["severity"]) for f in report["findings"]] == \
        [("desk/orders.py", 22, "critical")]


def test_switch_restored_on_the_path_and_tested(desk, tmp_path):
    root, _ = desk
    fixed = scratch_fixture(root, tmp_path / "fixed")
    orders = fixed / "desk" / "orders.py"
    orders.write_text(orders.read_text().replace(
        '    replacement = dict(order, qty=qty)\n',
        '    if switches.engaged(HALT_ORDERS):\n        return None\n    replacement = dict(order, qty=qty)\n'))
    tests = fixed / "tests" / "test_desk.py"
    tests.write_text(tests.read_text() + '''

def test_halt_quotes_stops_quoting():
    import pytest
    from desk.switches import HALT_QUOTES
    with pytest.raises(quotes.QuotesHalted):
        quotes.refresh(Switches(HALT_QUOTES), Venue(), {"F": (9.83, 9.85)})
''')
    data = tmp_path / "testcov"
    subprocess.run([sys.executable, "-m", "coverage", "run", "--branch", f"--data-file={data}", "-m", "pytest",
                    "-q", "-p", "no:cacheprovider", "tests"], cwd=fixed, check=True, capture_output=True, timeout=120)
    code, report, err = check_json(fixed, "--select", "KW502", "--test-coverage", str(data))
    assert code == 0 and report["findings"] == [], err


def test_a_switch_whose_on_branch_does_not_stop(desk, tmp_path):
    root, _ = desk
    broken = scratch_fixture(root, tmp_path / "broken")
    orders = broken / "desk" / "orders.py"
    orders.write_text(orders.read_text().replace("        return None\n    if not within_limits(order):",
                                                 "        print('halted')\n    if not within_limits(order):"))
    code, report, _ = check_json(broken, "--select", "KW502")
    messages = sorted(f["message"] for f in report["findings"])
    assert code == 1 and len(messages) == 2
    assert "(reads it at desk/orders.py:11 but its on-branch does not stop the path)" in messages[1]


def test_bad_test_coverage_is_one_line(desk, tmp_path):
    root, _ = desk
    junk = tmp_path / "junk"
    junk.write_text("not coverage data")
    for path in (junk, tmp_path / "missing"):
        code, report, err = check_json(root, "--test-coverage", str(path))
        assert code == 2 and err.startswith("knightwatch: error: --test-coverage") and err.count("\n") == 1, err


def test_guards_naming_nothing_is_one_line(desk, tmp_path):
    root, _ = desk
    broken = scratch_fixture(root, tmp_path / "typo")
    registry = broken / "flags.toml"
    registry.write_text(registry.read_text().replace('"desk.venue.Venue.quote"]', '"desk.venue.Venue.qoute"]'))
    code, _, err = check_json(broken, "--select", "KW502")
    assert code == 2 and "flag 'desk.halt-quotes': guards 'desk.venue.Venue.qoute'" in err and err.count("\n") == 1
