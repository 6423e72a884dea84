"""The pre-deploy gate: `check --candidate-flags FILE` (KW501 wake-untested), end to end through the
CLI, and the GitHub and GitLab release-gate examples run as written on a copy of SMARS."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
import yaml

from projects import check_json, rules_at
from test_flip import payout  # noqa: F401  (the module-scoped payout service with two hosts' coverage)
from test_suppressions import SMARS, run, scratch_fixture

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def kw501(root: Path, candidates: Path) -> tuple[int, list[dict]]:
    code, report, err = check_json(root, "--candidate-flags", str(candidates), "--select", "KW501")
    assert code in (0, 1), err
    return code, report["findings"]


def test_payout_candidate_wakes_an_unguarded_sink_on_the_host_that_never_ran_it(payout, tmp_path):  # noqa: F811
    toml = tmp_path / "release-flags.toml"
    toml.write_text('"payout.fast-lane" = true\n')
    code, found = kw501(payout, toml)
    (finding,) = found
    assert code == 1 and finding["severity"] == "critical" and (finding["path"], finding["line"]) == ("payout/batch.py", 13)
    assert finding["properties"]["hosts"] == ["eu-1"]  # us-1 already runs the fast lane
    assert "never ran on eu-1, and it reaches sink payout.bank.Wire.transfer with no breaker" in finding["message"]
    assert [s["line"] for s in finding["trace"]] == [12, 13, 13, 20]
    toml.write_text('"payout.fast-lane" = false\n')
    code, found = kw501(payout, toml)
    assert code == 1 and [(f["severity"], f["properties"]["hosts"]) for f in found] == [("high", ["us-1"])]


@pytest.mark.parametrize(("name", "text"), [
    ("flags.toml", '"routing.midpoint-sweep" = true\n"routing.mode-7" = true\n'),
    ("flags.json", '{"routing.midpoint-sweep": "on", "risk.kill-switch": "off"}'),
    ("manifest.json", json.dumps({"flags": {
        "routing.midpoint-sweep": {"flagType": "boolean", "defaultValue": True, "description": "sweep"},
        "routing.venue": {"flagType": "string", "defaultValue": "XNYS"}}})),
])
def test_smars_candidate_formats(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    code, found = kw501(SMARS, path)
    # the sweep is off on all eight hosts: switching it on wakes a guarded send nobody ran; mode-7 is on already
    assert code == 1 and [(f["path"], f["line"], f["severity"]) for f in found] == [("smars/router.py", 59, "high")]
    assert found[0]["properties"]["hosts"] == [f"nyc-smars-0{i}" for i in range(1, 9)]


def test_without_candidates_kw501_finds_nothing():
    code, report, _ = check_json(SMARS, "--select", "KW501")
    assert code == 0 and rules_at(report, "KW501") == []


@pytest.mark.parametrize(("name", "text", "message"), [
    ("c.json", '{"routing.mode-7": 3}', "flag 'routing.mode-7' must be on or off (true/false), not 3"),
    ("c.json", "[1, 2]", "candidate flags must be a map"),
    ("c.json", "{not json", "not a JSON or TOML candidate flags file"),
    ("c.toml", "x = = 1", "c.toml"),
    ("m.json", '{"flags": {"a": {"flagType": "boolean"}}}', "flag 'a' has no defaultValue"),
    ("m.json", '{"flags": {"a": {"flagType": "boolean", "defaultValue": "blue"}}}', "boolean flag 'a' has defaultValue"),
])
def test_bad_candidate_files(tmp_path, name, text, message):
    path = tmp_path / name
    path.write_text(text)
    code, out, err = run("check", str(SMARS), "--no-cache", "--candidate-flags", str(path))
    assert code == 2 and message in err and err.count("\n") == 1 and "Traceback" not in err


def _commands(lines: list[str]) -> list[list[str]]:
    return [shlex.split(re.split(r"\s(?:>>?|\|\|)\s", line)[0]) for line in lines if line.strip().startswith("knightwatch ")]


def _run_gate(commands, checkout: Path, sweep: bool) -> list[int]:
    (checkout / "release-flags.toml").write_text(f'"routing.midpoint-sweep" = {str(sweep).lower()}\n')
    codes = []
    for argv in commands:
        code, _, err = run(*argv[1:], "--no-cache")
        assert code in (0, 1), err
        codes.append(code)
    return codes


def test_github_gate_blocks_the_deploy_job(tmp_path, monkeypatch):
    workflow = yaml.safe_load((EXAMPLES / "github-release-gate.yml").read_text())
    gate, deploy = workflow["jobs"]["flag-gate"], workflow["jobs"]["deploy"]
    assert deploy["needs"] == "flag-gate"
    commands = _commands([line for s in gate["steps"] for line in s.get("run", "").splitlines()])
    assert len(commands) == 2 and all("--candidate-flags" in c for c in commands)
    monkeypatch.chdir(scratch_fixture(SMARS, tmp_path / "checkout"))
    assert _run_gate(commands, Path.cwd(), sweep=True) == [1, 1]  # the sweep wakes a path to a sink: gate fails
    log = json.loads(Path("flag-gate.sarif").read_text())
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["KW501"]
    assert log["runs"][0]["automationDetails"] == {"id": "knightwatch/flag-gate/"}
    assert _run_gate(commands, Path.cwd(), sweep=False) == [0, 0]  # already off everywhere: nothing wakes


def test_gitlab_gate_blocks_the_deploy_job(tmp_path, monkeypatch):
    pipeline = yaml.safe_load((EXAMPLES / "gitlab-release-gate.yml").read_text())
    assert pipeline["stages"] == ["gate", "deploy"] and pipeline["deploy"]["needs"] == ["knightwatch-flag-gate"]
    job = pipeline["knightwatch-flag-gate"]
    commands = _commands(job["script"])
    assert len(commands) == 1
    monkeypatch.chdir(scratch_fixture(SMARS, tmp_path / "checkout"))
    assert _run_gate(commands, Path.cwd(), sweep=True) == [1]
    report = json.loads(Path(job["artifacts"]["reports"]["codequality"]).read_text())
    assert [(i["check_name"], i["location"]["path"]) for i in report] == [("KW501", "smars/router.py")]
    assert _run_gate(commands, Path.cwd(), sweep=False) == [0]
