"""KW101 and kill switches (real runs under coverage.py, the switches off on both hosts): only the
kill side of a switch is dormant by design; a never-run function called on the side that runs while
the switch is off (the normal path, behind a further condition) is reported, in every shape of the
check: `if switch: return`, `if not switch:`, and a read held in a variable first. Compared exactly
with the inline `# expect:` comments."""

from __future__ import annotations

from expectations import actual_findings, expected_findings
from projects import check_json, make_project, run_hosts

CONFIG = """
[tool.knightwatch]
source = ["app"]
entry-points = ["app.main:main"]
coverage = ["prodcov/.coverage.*"]

[tool.knightwatch.flags]
registry = "flags.toml"
accessors = ["app.switches.Switches.is_enabled"]
"""

FLAGS = """
[flags."halt-orders"]
owner = "risk"
kind = "kill-switch"
created = 2024-01-01

[flags."halt-quotes"]
owner = "risk"
kind = "kill-switch"
created = 2024-01-01

[flags."halt-cancels"]
owner = "risk"
kind = "kill-switch"
created = 2024-01-01
"""

SWITCHES = '''
import os


class Switches:
    def is_enabled(self, key):
        return key in os.environ.get("HALT", "").split(",")


switches = Switches()
'''

MAIN = '''
import sys

from app.switches import switches


def halt(what):
    return what


def send(size):
    return size


def block_route(size):  # expect: KW101 medium
    return size


def block_quote(size):  # expect: KW101 medium
    return size


def block_cancel(size):  # expect: KW101 medium
    return size


def trade(size):
    if switches.is_enabled("halt-orders"):
        halt("orders")
        return
    if size > 100:
        block_route(size)
    send(size)


def quote(size):
    if not switches.is_enabled("halt-quotes"):
        if size > 100:
            block_quote(size)
        send(size)
    else:
        halt("quotes")


def cancel(size):
    halted = switches.is_enabled("halt-cancels")
    if halted:
        halt("cancels")
        return
    if size > 100:
        block_cancel(size)


def main():
    size = int(sys.argv[1])
    trade(size)
    quote(size)
    cancel(size)


if __name__ == "__main__":
    main()
'''


def test_never_run_code_on_the_running_side_of_a_kill_switch_is_dormant(tmp_path):
    root = make_project(tmp_path / "app", {"app/__init__.py": "", "app/switches.py": SWITCHES,
                                           "app/main.py": MAIN, "flags.toml": FLAGS}, CONFIG)
    run_hosts(root, "app", "app.main", {"h1": ["1"], "h2": ["2"]})
    _, report, err = check_json(root)
    assert not err
    expected, actual = expected_findings(root), actual_findings(report["findings"])
    assert actual == expected, f"missing: {sorted(expected - actual)}\nunexpected: {sorted(actual - expected)}"
