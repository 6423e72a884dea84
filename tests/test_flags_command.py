"""`knightwatch flags`: the SMARS inventory as a table, JSON and CSV."""

from __future__ import annotations

import csv
import io
import json

from click.testing import CliRunner

from knightwatch.cli import main

EXPECTED = {  # key -> (status, kind, owner, production state)
    "exp.adaptive-slicing": ("live", "experiment", "execution-research", "mixed"),
    "ops.fix42-dropcopy": ("orphaned", "ops", "trading-infra", None),
    "risk.kill-switch": ("live", "kill-switch", "risk-ops", "off"),
    "routing.midpoint-sweep": ("dormant", "release", "smart-routing", "off"),
    "routing.mode-7": ("recycled", "release", "rlp-team", "on"),
    "routing.odd-lot-aggregation": ("expired", "release", "smart-routing", "on"),
}


def _flags(*args):
    return CliRunner().invoke(main, ["flags", *args, "--no-cache"])


def test_json(smars_dir):
    result = _flags(str(smars_dir), "--format", "json")
    assert result.exit_code == 0, result.output
    entries = {e["key"]: e for e in json.loads(result.output)["flags"]}
    assert {k: (e["status"], e["kind"], e["owner"], e["state"]) for k, e in entries.items()} == EXPECTED
    mode7 = entries["routing.mode-7"]
    assert mode7["aliases"] == ["PEG_ORDERS", "RLP_ENABLED"]
    assert [(r["path"], r["line"], r["via"], r["on_hosts"][-1:]) for r in mode7["reads"]] == [
        ("smars/rlp.py", 36, "RLP_ENABLED", ["nyc-smars-07"]), ("smars/router.py", 52, "PEG_ORDERS", ["nyc-smars-08"])]
    assert len(mode7["reads"][0]["on_hosts"]) == 7 and mode7["reads"][1]["on_hosts"] == ["nyc-smars-08"]


def test_csv(smars_dir):
    result = _flags(str(smars_dir), "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [r["key"] for r in rows] == sorted(EXPECTED)
    mode7 = next(r for r in rows if r["key"] == "routing.mode-7")
    assert mode7["aliases"] == "PEG_ORDERS;RLP_ENABLED" and mode7["status"] == "recycled"
    assert mode7["reads"] == "smars/rlp.py:36 via RLP_ENABLED; smars/router.py:52 via PEG_ORDERS"


def test_table(smars_dir):
    result = _flags(str(smars_dir))
    assert result.exit_code == 0
    for key, (status, _, _, _) in EXPECTED.items():
        line = next(line for line in result.output.splitlines() if key in line)
        assert status in line
    assert "PEG_ORDERS" in result.output and "on 8/8" in result.output


def test_bad_project_is_one_line(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.knightwatch]\nsurce = ['x']\n")
    result = _flags(str(tmp_path))
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "unknown key [tool.knightwatch] 'surce'" in result.output
