"""The GitHub Actions example: valid YAML, wired for code scanning, and every knightwatch command in it
is one the CLI accepts and runs (on a copy of the SMARS fixture laid out as the workflow downloads it)."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
import yaml

from test_suppressions import SMARS, run, scratch_fixture

WORKFLOW = Path(__file__).resolve().parent.parent / "examples" / "github-code-scanning.yml"


@pytest.fixture(scope="module")
def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text())


def steps(workflow: dict) -> list[dict]:
    (job,) = workflow["jobs"].values()
    return job["steps"]


def knightwatch_commands(workflow: dict) -> list[list[str]]:
    """The argument lists of the `knightwatch ...` command lines, without shell redirections and `||`."""
    commands = []
    for step in steps(workflow):
        for line in step.get("run", "").replace("\\\n", " ").splitlines():
            if line.strip().startswith("knightwatch "):
                commands.append(shlex.split(re.split(r"\s(?:>>?|\|\|)\s", line)[0]))
    return commands


def test_triggers_permissions_and_upload(workflow):
    assert {"push", "pull_request"} <= set(workflow.get("on") or workflow[True])  # YAML 1.1 reads `on` as true
    assert workflow["permissions"]["security-events"] == "write"
    by_use = {s.get("uses", "").split("@")[0]: s for s in steps(workflow)}
    download = by_use["actions/download-artifact"]["with"]
    upload = by_use["github/codeql-action/upload-sarif"]
    assert "cancelled()" in upload["if"] or "always()" in upload["if"]  # upload even when findings fail the job
    sarif_run = next(c for c in knightwatch_commands(workflow) if "sarif" in c)
    assert sarif_run[sarif_run.index("--output") + 1] == upload["with"]["sarif_file"]
    assert sarif_run[sarif_run.index("--coverage") + 1].startswith(download["path"] + "/")
    assert any("pip install knightwatch" in s.get("run", "") for s in steps(workflow))


def test_every_command_line_runs(workflow, tmp_path, monkeypatch):
    monkeypatch.chdir(scratch_fixture(SMARS, tmp_path / "checkout"))  # prodcov/ is where the artifacts land
    commands = knightwatch_commands(workflow)
    assert len(commands) == 2
    outputs = {}
    for argv in commands:
        assert argv[:2] == ["knightwatch", "check"]
        code, out, err = run(*argv[1:])
        assert code == 1, err  # the fixture's findings fail the step
        outputs[argv[argv.index("--format") + 1]] = out
    log = json.loads(Path("knightwatch.sarif").read_text())
    run_ = log["runs"][0]
    assert run_["automationDetails"] == {"id": "knightwatch/production/"}
    assert len(run_["results"]) == 8 and len(run_["tool"]["driver"]["rules"]) == 11
    assert outputs["markdown"].startswith("## ") and "KW301" in outputs["markdown"]
