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
    }
    # `PAPER != "0"` is the on side, and with PAPER unset it ran: nothing dormant there
