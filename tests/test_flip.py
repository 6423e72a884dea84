"""`knightwatch flip KEY=on|off`: the blast radius per host, end to end through the CLI, on SMARS (the
Knight flip) and on a small payout service written unlike it, with real coverage of two hosts."""

from __future__ import annotations

import json

import pytest

from projects import make_project, run_hosts
from test_report_sarif import validator
from test_suppressions import SMARS, run

PAYOUT = {
    "payout/__init__.py": "",
    "payout/toggles.py": '''
        import os

        def enabled(name):
            return name in os.environ.get("TOGGLES", "").split(",")
    ''',
    "payout/bank.py": '''
        class Wire:
            def transfer(self, amount):
                return amount
    ''',
    "payout/limits.py": '''
        def within_limit(amount):
            return amount < 1000
    ''',
    "payout/batch.py": '''
        from payout import toggles
        from payout.bank import Wire
        from payout.limits import within_limit

        FAST_LANE = "payout.fast-lane"


        def settle(amounts):
            wire = Wire()
            done = 0
            for amount in amounts:
                if toggles.enabled(FAST_LANE):
                    done += _fast(wire, amount)
                elif within_limit(amount):
                    done += wire.transfer(amount)
            return done


        def _fast(wire, amount):
            return wire.transfer(amount)
    ''',
    "payout/cli.py": '''
        from payout.batch import settle


        def main():
            print(settle([5, 50, 500]))


        if __name__ == "__main__":
            main()
    ''',
}
CONFIG = '''
[tool.knightwatch]
source = ["payout"]
entry-points = ["payout.cli:main"]
coverage = ["prodcov/.coverage.*"]
[tool.knightwatch.flags]
accessors = ["payout.toggles.enabled"]
[tool.knightwatch.safety]
sinks = ["payout.bank.Wire.transfer"]
breakers = ["payout.limits.within_limit"]
'''


@pytest.fixture(scope="module")
def payout(tmp_path_factory):
    """The payout service, run for real under coverage: fast lane off on eu-1, on on us-1."""
    root = make_project(tmp_path_factory.mktemp("payout") / "svc", PAYOUT, CONFIG)
    with pytest.MonkeyPatch.context() as mp:
        for host, toggles in (("eu-1", ""), ("us-1", "payout.fast-lane")):
            mp.setenv("TOGGLES", toggles)
            run_hosts(root, "payout", "payout.cli", {host: []})
    return root


def flip_json(*args) -> dict:
    code, out, err = run("flip", *args, "--format", "json", "--no-cache")
    assert code == 0, err
    return json.loads(out)


def test_smars_knight_flip_names_nyc_smars_08_and_power_peg_first():
    code, out, err = run("flip", "routing.mode-7=on", str(SMARS), "--no-cache")
    assert code == 0, err
    first_group = out.split("\n\n")[1]
    assert first_group.startswith("nyc-smars-08:")
    assert "1. CRITICAL smars/router.py:53  reaches sink smars.venues.Gateway.send with no breaker before it" in first_group
    assert "smars/legacy/power_peg.py:28  calls sink smars.venues.Gateway.send with no breaker before it" in first_group

    report = flip_json("routing.mode-7=on", str(SMARS))
    top, rest = report["groups"]
    assert top["hosts"] == ["nyc-smars-08"]
    peg = top["branches"][0]
    assert (peg["path"], peg["line"], peg["status"], peg["reach"], peg["wakes"]) == \
        ("smars/router.py", 53, "ran", "unguarded sink", True)
    assert peg["woken_functions"] == ["smars.legacy.power_peg._peg_price", "smars.legacy.power_peg.execute"]
    assert [(s["path"], s["line"]) for s in peg["trace"]][::len(peg["trace"]) - 1] == \
        [("smars/router.py", 52), ("smars/legacy/power_peg.py", 28)]
    # on the other seven the flag was on too (RLP's branch ran) and Power Peg still never ran: not woken
    assert rest["hosts"] == [f"nyc-smars-0{i}" for i in range(1, 8)]
    statuses = {(b["path"], b["line"]): b["status"] for b in rest["branches"]}
    assert statuses == {("smars/rlp.py", 37): "ran", ("smars/router.py", 53): "closed"}


def test_smars_kill_switch_on_shows_what_it_stops():
    report = flip_json("risk.kill-switch=on", str(SMARS), "--hosts", "nyc-smars-0[12]")
    assert report["kind"] == "kill-switch" and report["hosts"] == ["nyc-smars-01", "nyc-smars-02"]
    (group,) = report["groups"]
    assert [(b["line"], b["status"], b["woken_functions"]) for b in group["branches"]] == \
        [(50, "untested", ["smars.router.SmartOrderRouter.halt"])]
    assert [(s["path"], s["line"], s["reach"]) for s in report["stops"]] == [("smars/router.py", 52, "unguarded sink")]


def test_sarif_is_valid_with_a_code_flow_from_read_to_sink(tmp_path):
    out = tmp_path / "flip.sarif"
    code, _, err = run("flip", "routing.mode-7=on", str(SMARS), "--format", "sarif", "--output", str(out), "--no-cache")
    assert code == 0, err
    log = json.loads(out.read_text())
    assert list(validator().iter_errors(log)) == []
    results = log["runs"][0]["results"]
    critical = [r for r in results if r["level"] == "error"]
    assert len(results) == 2 and len(critical) == 1
    assert critical[0]["message"]["text"].startswith("routing.mode-7=on on nyc-smars-08: this branch ran there")
    flow = critical[0]["codeFlows"][0]["threadFlows"][0]["locations"]
    assert flow[-1]["location"]["physicalLocation"]["artifactLocation"]["uri"] == "smars/legacy/power_peg.py"


def test_payout_statuses_per_host(payout):
    on = flip_json("payout.fast-lane=on", str(payout))
    assert [(g["hosts"], [(b["status"], b["reach"], b["severity"]) for b in g["branches"]]) for g in on["groups"]] == [
        (["us-1"], [("ran", "unguarded sink", "critical")]),
        (["eu-1"], [("untested", "unguarded sink", "critical")]),
    ]
    assert on["groups"][1]["branches"][0]["woken_functions"] == ["payout.batch._fast"]
    off = flip_json("payout.fast-lane=off", str(payout))
    assert [(g["hosts"], [(b["status"], b["reach"]) for b in g["branches"]]) for g in off["groups"]] == [
        (["eu-1"], [("ran", "sink")]),
        (["us-1"], [("untested", "sink")]),
    ]
    assert [s["reach"] for s in off["stops"]] == ["unguarded sink"]


@pytest.mark.parametrize(("args", "message"), [
    (["routing.mode-7"], "expected KEY=on or KEY=off, not 'routing.mode-7'"),
    (["routing.mode-7=maybe"], "expected KEY=on or KEY=off"),
    (["no.such-flag=on"], "no code reads flag 'no.such-flag'"),
    (["routing.mode-7=on", "--hosts", "ldn-*"], "--hosts 'ldn-*' matches none of nyc-smars-01"),
])
def test_bad_input_is_one_line_and_exit_2(args, message):
    code, out, err = run("flip", *args[:1], str(SMARS), *args[1:], "--no-cache")
    assert code == 2 and out == ""
    assert err.startswith("knightwatch: error: ") and message in err and err.count("\n") == 1


def test_flip_without_coverage_is_refused(tmp_path):
    root = make_project(tmp_path / "svc", PAYOUT, CONFIG.replace('coverage = ["prodcov/.coverage.*"]\n', ""))
    code, _, err = run("flip", "payout.fast-lane=on", str(root), "--no-cache")
    assert code == 2 and "flip needs production coverage" in err
