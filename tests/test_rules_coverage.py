"""Per-rule tests for the rules that join production coverage: KW101, KW201, KW401.
The coverage is real: the sample program runs under coverage.py once per host."""

from __future__ import annotations

import pytest

from projects import check_json, make_project, rules_at, run_hosts

CONFIG = """
[tool.knightwatch]
source = ["desk"]
entry-points = ["desk.main:main"]
coverage = ["prodcov/.coverage.*"]
[tool.knightwatch.flags]
accessors = ["desk.flags.Flags.on"]
registry = "flags.toml"
[tool.knightwatch.safety]
sinks = ["desk.wire.send"]
breakers = ["desk.wire.check"]
"""

FILES = {
    "desk/__init__.py": "",
    "desk/flags.py": '''
        NEW_PROGRAM = "mode-7"
        HALT = "halt"
        SWEEP = "sweep"
        BUCKET = "bucket"

        class Flags:
            def __init__(self, on):
                self.enabled = set(on)

            def on(self, key, order=0):
                if key == BUCKET:
                    return order % 2 == 0
                return key in self.enabled
    ''',
    "desk/wire.py": '''
        SENT = []

        def check(qty):
            return qty < 1000

        def send(qty):
            SENT.append(qty)
    ''',
    "desk/legacy.py": '''
        from desk import wire
        OLD_MODE = "mode-7"

        def peg(qty):
            for _ in range(3):
                wire.send(qty)
    ''',
    "desk/main.py": '''
        import sys
        from desk import legacy, wire
        from desk.flags import BUCKET, HALT, NEW_PROGRAM, SWEEP, Flags

        def program(flags, qty):
            if flags.on(NEW_PROGRAM):
                if wire.check(qty):
                    wire.send(qty)

        def route(flags, qty, old_host):
            if flags.on(HALT):
                raise SystemExit("halted")
            if old_host and flags.on(legacy.OLD_MODE):
                legacy.peg(qty)
                return
            if flags.on(SWEEP):
                sweep(qty)
            if flags.on(BUCKET, qty):
                wire.check(qty)
            else:
                wire.check(qty + 1)
            program(flags, qty)

        def sweep(qty):
            wire.check(qty)

        def main(argv=None):
            argv = sys.argv[1:] if argv is None else argv
            flags = Flags(["mode-7"])
            for qty in range(4):
                route(flags, qty, old_host="--old" in argv)

        if __name__ == "__main__":
            main()
    ''',
    "flags.toml": '''
        [flags."mode-7"]
        owner = "desk"
        kind = "release"
        created = 2012-06-01
        expires = 2099-01-01

        [flags."halt"]
        owner = "ops"
        kind = "kill-switch"
        created = 2010-01-01

        [flags."sweep"]
        owner = "desk"
        kind = "release"
        created = 2012-01-01
        expires = 2099-01-01

        [flags."bucket"]
        owner = "desk"
        kind = "experiment"
        created = 2012-01-01
        expires = 2099-01-01
    ''',
}


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("desk"), FILES, CONFIG)
    hosts = {f"host-{i}": [] for i in range(1, 4)} | {"host-4": ["--old"]}
    run_hosts(root, "desk", "desk.main", hosts)
    return root


def test_kw101_dormant_flag_branch_is_reported_and_kill_switch_is_not(desk):
    code, report, err = check_json(desk, "--select", "KW101")
    assert code == 1, err
    # `if flags.on(SWEEP): sweep(qty)` never ran: the branch (line 17) is reported, medium since it
    # reaches no sink; `sweep`, only called from there, is folded into it
    assert [(f["line"], f["severity"]) for f in report["findings"]] == [(17, "medium")]
    # the kill-switch branch (line 12) never ran either, by design: silent


def test_kw201_recycled_key_through_a_different_constant(desk):
    code, report, err = check_json(desk, "--select", "KW201")
    assert code == 1, err
    [f] = report["findings"]
    assert (f["path"], f["line"], f["severity"]) == ("desk/main.py", 13, "critical")
    assert "NEW_PROGRAM" in f["message"] and "host-4" in f["message"]
    assert {s["line"] for s in f["trace"]} >= {6, 13, 14}


def test_kw401_minority_host_branch_with_functions_folded(desk):
    code, report, err = check_json(desk, "--select", "KW401")
    assert code == 1, err
    assert [(f["path"], f["line"], f["severity"]) for f in report["findings"]] == [("desk/main.py", 14, "high")]
    assert report["findings"][0]["properties"]["hosts"] == ["host-4"]


def test_experiment_with_both_branches_live_is_silent(desk):
    _, report, _ = check_json(desk)
    lines = {f["line"] for f in report["findings"] if f["path"] == "desk/main.py"}
    assert not lines & {19, 20, 21, 22}


def test_coverage_pattern_matching_nothing_is_an_error(desk):
    code, report, err = check_json(desk, "--coverage", "nothing-matches-*")
    assert code == 2 and "matches no file" in err


def test_coverage_rules_are_skipped_with_a_note_without_coverage(tmp_path):
    root = make_project(tmp_path, FILES, CONFIG.replace('coverage = ["prodcov/.coverage.*"]', ""))
    _, report, _ = check_json(root)
    assert {f["rule"] for f in report["findings"]} <= {"KW102", "KW201", "KW202", "KW301"}
    notes = " ".join(report["notes"])
    assert "KW101 dormant-path skipped" in notes and "KW401 deployment-drift skipped" in notes


def test_mismatched_host_is_reported_as_drift(tmp_path):
    root = make_project(tmp_path, FILES, CONFIG)
    run_hosts(root, "desk", "desk.main", {"host-1": []})  # the straggler, on the old text
    wire = root / "desk" / "wire.py"
    wire.write_text("\n\n\n\n" + wire.read_text())
    run_hosts(root, "desk", "desk.main", {f"host-{i}": [] for i in range(2, 4)})
    code, report, err = check_json(root, "--select", "KW401")
    found = [(f["path"], f["properties"].get("host")) for f in report["findings"]]
    assert found == [("desk/wire.py", "host-1")]
    assert "different version" in report["findings"][0]["message"]


def test_tree_that_moved_on_since_every_host_ran_is_not_drift(tmp_path):
    """Contract changed by issue 15: every host inconsistent with the file in the same way means
    the tree moved on: the file's coverage is unknown (one note), not a finding per host."""
    root = make_project(tmp_path, FILES, CONFIG)
    run_hosts(root, "desk", "desk.main", {f"host-{i}": [] for i in range(1, 4)})
    _, before, _ = check_json(root, "--select", "KW401,KW101")
    wire = root / "desk" / "wire.py"
    wire.write_text("\n\n\n\n" + wire.read_text())
    _, report, _ = check_json(root, "--select", "KW401,KW101")
    outside = [(f["rule"], f["path"], f["line"], f["message"]) for f in before["findings"] if f["path"] != "desk/wire.py"]
    assert [(f["rule"], f["path"], f["line"], f["message"]) for f in report["findings"]] == outside
    (note,) = [n for n in report["notes"] if "desk/wire.py" in n]
    assert "production coverage is unknown" in note and "--context=rev:" in note

SHOP_CONFIG = """
[tool.knightwatch]
source = ["shop"]
entry-points = ["shop.app:main"]
coverage = ["prodcov/.coverage.*"]
[tool.knightwatch.flags]
accessors = ["shop.toggles.enabled"]
registry = "flags.toml"
"""

SHOP = {
    "shop/__init__.py": "",
    "shop/toggles.py": '''
        def enabled(key, argv):
            return "--" + key in argv
    ''',
    "shop/app.py": '''
        import sys
        from shop.toggles import enabled

        def fast(basket):
            return sum(basket)

        def slow(basket):
            total = 0
            for item in basket:
                total += item
            return total

        def checkout(argv, basket):
            if enabled("new-checkout", argv):
                return fast(basket)
            return slow(basket)

        def refund(argv, amount):
            if enabled("refund-v2", argv):
                return amount - 1
            return amount

        def main(argv=None):
            argv = sys.argv[1:] if argv is None else argv
            checkout(argv, [1, 2, 3])
            if "--refunds" in argv:  # only the hosts that get refund traffic
                refund(argv, 5)

        if __name__ == "__main__":
            main()
    ''',
}

SHOP_HOSTS = {"h1": [], "h2": [], "h3": ["--refunds"], "h4": ["--refunds", "--new-checkout"],
              "h5": ["--refunds", "--refund-v2"], "h6": ["--refunds", "--refund-v2"]}


@pytest.mark.parametrize("kind", ["release", "rollout", "canary", "experiment"])
def test_kw401_per_host_rollouts_and_traffic_dependent_branches(tmp_path, kind):
    """new-checkout is on for 1 of 6 hosts: drift for a release flag, expected for a per-host
    rollout. refund-v2 ran on 2 of 6 hosts, but on 2 of the 4 that ran `refund`: not drift."""
    registry = "".join(f'[flags."{key}"]\nowner = "shop"\nkind = "{k}"\ncreated = 2024-01-01\n'
                       f"expires = 2099-01-01\n\n" for key, k in (("new-checkout", kind), ("refund-v2", "release")))
    root = make_project(tmp_path, {**SHOP, "flags.toml": registry}, SHOP_CONFIG)
    run_hosts(root, "shop", "shop.app", SHOP_HOSTS)
    _, report, _ = check_json(root, "--select", "KW401")
    found = [(f["line"], f["message"]) for f in report["findings"]]
    if kind == "release":
        assert [(line, msg.split(";")[0]) for line, msg in found] == [
            (15, "branch gated by flag 'new-checkout' ran on 1 of 6 hosts (h4)")]
    else:
        assert found == []
    # the audit's host table agrees: a rollout's branch is listed but is no minority-host code
    from test_audit import audit_of

    model, _, _ = audit_of(root)
    [row] = [r for r in model["drift"]["rows"] if r["kind"] == "branch" and r["hosts"] == ["h4"]]
    assert (row["rollout"], row["minority"]) == (kind != "release", kind == "release")
