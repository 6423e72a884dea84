"""KW101 reports the side of a flag condition that never ran with the right polarity when the read
is compared: `is None`, `is not None`, `not`, `==`, `!=` (real runs under coverage, no flag set)."""

from __future__ import annotations

import pytest

from projects import check_json, make_project, run_hosts

CONFIG = """
[tool.knightwatch]
source = ["app"]
entry-points = ["app.main:main"]
coverage = ["prodcov/.coverage.*"]
"""

MAIN = '''
import os

def plain():
    return 0

def flagged():
    return 1

def main():
    if os.environ.get("LEGACY") is None:
        plain()
    else:
        flagged()
    if os.environ.get("TURBO") is not None:
        flagged()
    if not os.environ.get("QUIET"):
        plain()
    else:
        flagged()
    if os.environ.get("MODE") == "live":
        flagged()
    if os.environ.get("PAPER") != "0":
        flagged()
    if os.getenv("SAFE") == "0":
        flagged()
    if None is os.getenv("BACKWARDS"):
        plain()
    else:
        flagged()
    if os.environ.get("NOT_OFF", "").lower() not in ("", "0", "false"):
        flagged()
    if os.getenv("ONE_OF", "0") in ("1", "true"):
        flagged()
    if os.getenv("UNSET_IN", "") in ("", "0"):
        plain()
    else:
        flagged()
    if "PRESENT" in os.environ:
        flagged()
    if "ABSENT" not in os.environ:
        plain()
    else:
        flagged()

if __name__ == "__main__":
    main()
'''


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("app") / "app", {"app/__init__.py": "", "app/main.py": MAIN}, CONFIG)
    run_hosts(root, "app", "app.main", {"h1": [], "h2": []})
    return root


def _dormant(report) -> dict[str, tuple[int, str]]:
    """Flag key -> (line, the side that never ran) of each KW101 branch finding."""
    out = {}
    for f in report["findings"]:
        if f["rule"] == "KW101" and "flag" in f["properties"]:
            side = "on" if "(on side)" in f["message"] else "off"
            assert ("the flag was off everywhere" in f["message"]) == (side == "on")
            out[f["properties"]["flag"]] = (f["line"], side)
    return out


def test_polarity_of_compared_flag_reads(app):
    _, report, _ = check_json(app)
    lines = (app / "app/main.py").read_text().splitlines()
    dormant = _dormant(report)
    assert dormant == {
        "LEGACY": (lines.index("        flagged()", 10) + 1, "on"),  # `is None` runs when off: else is on
        "TURBO": (lines.index("        flagged()", 14) + 1, "on"),
        "QUIET": (lines.index("        flagged()", 17) + 1, "on"),
        "MODE": (lines.index("        flagged()", 20) + 1, "on"),
        "SAFE": (lines.index("        flagged()", 24) + 1, "off"),  # `== "0"` is the off side
        "BACKWARDS": (lines.index("        flagged()", 28) + 1, "on"),
        "NOT_OFF": (lines.index("        flagged()", 30) + 1, "on"),  # `not in` the off values: on
        "ONE_OF": (lines.index("        flagged()", 32) + 1, "on"),
        "UNSET_IN": (lines.index("        flagged()", 34) + 1, "on"),  # `in` the off values: else is on
        "PRESENT": (lines.index("        flagged()", 38) + 1, "on"),  # `"X" in os.environ`
        "ABSENT": (lines.index("        flagged()", 40) + 1, "on"),
    }
    # `PAPER != "0"` is the on side, and with PAPER unset it ran: nothing dormant there


COMPOUND = '''
import os
import sys

def legacy():
    return 0

def modern():
    return 1

def slow():
    return 2

def sweep():
    return 3

def route(kind):
    if os.environ.get("LEGACY") == "1" and os.environ.get("SMART") == "1":
        return legacy()
    modern()
    if os.environ.get("FORCE_SLOW") == "1" or os.environ.get("SMART") == "1":
        modern()
    else:
        return slow()
    if not (os.environ.get("SMART") == "1" and os.environ.get("LEGACY") == "1"):
        modern()
    else:
        legacy()
    if os.environ.get("SMART") == "1" and kind:
        modern()
    else:
        sweep()
    match kind:
        case "market" if os.environ.get("SWEEP") == "1":
            sweep()
        case _ if os.environ.get("SMART") == "1":
            modern()
    if os.environ.get("SMART") == "1":
        modern()
    else:
        slow()

def main():
    route(sys.argv[1])

if __name__ == "__main__":
    main()
'''


def test_a_compound_condition_is_one_branch_no_single_flag_decides(tmp_path, monkeypatch):
    """`a and b`, `a or b`, `not (a and b)` and a `case` guard: each dormant side is reported once, as
    the condition's, never as "the flag was off everywhere" for a flag that was on (SMART, on every
    host); the statements after `if a and b: return` are gated by neither flag."""
    from knightwatch.analysis import analyse
    from knightwatch.config import load_config

    root = make_project(tmp_path / "app", {"app/__init__.py": "", "app/main.py": COMPOUND}, CONFIG)
    monkeypatch.setenv("SMART", "1")
    run_hosts(root, "app", "app.main", {"h1": ["market"], "h2": ["market"], "h3": ["limit"]})
    _, report, _ = check_json(root, "--select", "KW101")
    lines = COMPOUND.lstrip("\n").splitlines()
    found = sorted((f["line"], f["message"].split(" never ran")[0]) for f in report["findings"])
    said = {f["line"]: f["message"].split(": ")[-1] for f in report["findings"]}
    assert said[lines.index("        sweep()") + 1] == "the condition was true every time it was tested"
    assert said[lines.index("        return slow()") + 1] == "the condition was true every time it was tested"
    assert said[lines.index("            sweep()") + 1] == "the condition was false every time it was tested"
    assert found == [
        (lines.index("    if os.environ.get(\"LEGACY\") == \"1\" and os.environ.get(\"SMART\") == \"1\":") + 2,
         "branch gated by a condition on flags 'LEGACY' and 'SMART'"),
        (lines.index("        return slow()") + 1, "branch gated by a condition on flags 'FORCE_SLOW' and 'SMART'"),
        (lines.index("        legacy()") + 1, "branch gated by a condition on flags 'SMART' and 'LEGACY'"),
        (lines.index("        sweep()") + 1, "branch gated by a condition on flag 'SMART'"),  # SMART was on
        (lines.index("            sweep()") + 1, "branch gated by a condition on flag 'SWEEP'"),
        (lines.index("        slow()") + 1, "branch gated by flag 'SMART' (off side)"),
    ]
    analysis = analyse(load_config(root))
    rest = lines.index("    modern()") + 1
    assert not [r for read in analysis.flags.reads for r in read.regions if r.start <= rest <= r.end and r.kind == "guard"]
