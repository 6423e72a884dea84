"""`knightwatch fix --dead`, `--stale` and `--diff` on the SMARS fixture: the result still runs the
fixture's own production day."""

from __future__ import annotations

from test_fix_smars import fix, run_day, smars, tree  # noqa: F401 (smars is a fixture)


def test_dead_deletes_unreachable_code_and_the_day_still_runs(smars, tmp_path, monkeypatch):
    result = fix(smars, "--dead")
    assert result.exit_code == 0, result.stderr
    after = tree(smars)
    assert "smars/legacy/fix42_bridge.py" not in after
    assert "_tick_size" not in after["smars/market.py"]
    assert run_day(smars, tmp_path, monkeypatch)
    assert fix(smars, "--dead").exit_code == 0 and tree(smars) == after


def test_stale_retires_what_production_shows_constant_and_the_day_still_runs(smars, tmp_path, monkeypatch):
    result = fix(smars, "--stale")
    assert result.exit_code == 0, result.stderr
    assert "risk.kill-switch: not retired: its kind is kill-switch" in result.stderr
    assert "routing.mode-7: not retired: it is recycled; give each thing it gates its own flag first" in result.stderr
    after = tree(smars)
    router = after["smars/router.py"]
    assert "MIDPOINT_SWEEP" not in router and "_sweep_midpoint" not in router  # off on all 8 hosts
    assert "ODD_LOTS" not in router and "        sizes = slicing.fold_odd_lot(sizes)\n" in router  # on on all 8
    assert "is_on(Experiment.ADAPTIVE_SLICING)" in router and "is_on(FlagStore.KILL_SWITCH)" in router
    assert run_day(smars, tmp_path, monkeypatch)


def test_diff_writes_nothing(smars):
    before = tree(smars)
    result = fix(smars, "--flag", "routing.mode-7=off", "--diff")
    assert result.exit_code == 0
    assert "--- a/smars/legacy/power_peg.py\n+++ /dev/null\n" in result.stdout
    assert "-from smars.flags import RLP_ENABLED, FlagStore\n+from smars.flags import FlagStore\n" in result.stdout
    assert tree(smars) == before
