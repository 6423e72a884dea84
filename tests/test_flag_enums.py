"""Members of an `enum.Flag` class named for features are flag reads where a branch tests them
(`Features.X in features`, `not in`, `&`): the member's name is the key, an alias reads the member
it names (real runs under coverage)."""

from __future__ import annotations

import pytest

from projects import check_json, make_project, run_hosts

CONFIG = """
[tool.knightwatch]
source = ["app"]
entry-points = ["app.main:main"]
coverage = ["prodcov/.coverage.*"]

[tool.knightwatch.flags]
registry = "flags.toml"
"""

REGISTRY = """
[flags.RETAIL]
owner = "retail"

[flags.SMART]
owner = "routing"

[flags.WRITE]
owner = "nobody"
"""

MAIN = '''
import enum
import sys


class Features(enum.Flag):
    NONE = 0
    RETAIL = enum.auto()
    SMART = enum.auto()
    PEG = RETAIL  # the bit was re-used


class Perm(enum.Flag):
    READ = enum.auto()
    WRITE = enum.auto()


def retail_route():
    return 1


def peg_reprice():
    return 2


def sweep():
    return 3


def direct():
    return 4


def audit():
    return 5


def smart_route():
    return 6


def main():
    features = Features.RETAIL if "--retail" in sys.argv else Features.NONE
    if Features.RETAIL in features:
        retail_route()
    if Features.PEG in features:
        peg_reprice()
    if Features.SMART not in features:
        direct()
    else:
        smart_route()
    if features & Features.SMART:
        sweep()
    if Perm.WRITE in Perm.READ:
        audit()


if __name__ == "__main__":
    main()
'''


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("app") / "app",
                        {"app/__init__.py": "", "app/main.py": MAIN, "flags.toml": REGISTRY}, CONFIG)
    run_hosts(root, "app", "app.main", {"h1": ["--retail"], "h2": ["--retail"]})
    code, found, err = check_json(root)
    assert code == 1, err
    return found


def _at(report, rule):
    """(line, flag) of RULE's findings about a flag."""
    return {(f["line"], f["properties"]["flag"]) for f in report["findings"]
            if f["rule"] == rule and "flag" in f.get("properties", {})}


def _line(text: str) -> int:
    return MAIN.lstrip("\n").splitlines().index(text) + 1


def test_a_member_read_by_its_alias_is_the_same_key_gating_other_code(tmp_path):
    # an alias runs exactly when its member does, so only the static check (no coverage) tells
    root = make_project(tmp_path, {"app/__init__.py": "", "app/main.py": MAIN, "flags.toml": REGISTRY},
                        CONFIG.replace('coverage = ["prodcov/.coverage.*"]', ""))
    code, found, err = check_json(root)
    assert code == 1, err
    assert _at(found, "KW201") == {(_line("    if Features.RETAIL in features:"), "RETAIL"),
                                    (_line("    if Features.PEG in features:"), "RETAIL")}


def test_membership_tests_gate_their_branches_with_their_polarity(report):
    # SMART was off on both hosts: `not in` ran its body, not its else; `&` never ran its body
    dormant = {(f["line"], "(on side)" in f["message"]) for f in report["findings"]
               if f["rule"] == "KW101" and f["properties"].get("flag") == "SMART"}
    assert dormant == {(_line("        smart_route()"), True), (_line("        sweep()"), True)}


def test_only_feature_sets_are_flags(report):
    # RETAIL and SMART are read; Perm.WRITE is a permission bit, not a feature flag
    assert _at(report, "KW202") == {(_line_in_registry("[flags.WRITE]"), "WRITE")}


def _line_in_registry(text: str) -> int:
    return REGISTRY.lstrip("\n").splitlines().index(text) + 1
