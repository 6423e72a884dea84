"""Baselines: `knightwatch baseline`, `check --baseline FILE` (and the `baseline` config key), `--baseline-ref`."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from test_precommit import git_repo
from test_suppressions import SMARS, findings, run, scratch_fixture

APP = '''"""A small service."""


def run():
    return helper(1)


def helper(x):
    return x + 1


def _orphan(y):
    return y * 2
'''
REGISTRY = '''[flags."old.flag"]
owner = "team-a"
kind = "release"
created = 2010-01-01
expires = 2011-01-01
'''
CONFIG = '''[tool.knightwatch]
source = ["app"]
entry-points = ["app.main:run"]
[tool.knightwatch.flags]
registry = "flags.toml"
'''


def make_project(root: Path) -> Path:
    (root / "app").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "main.py").write_text(APP)
    (root / "flags.toml").write_text(REGISTRY)
    (root / "pyproject.toml").write_text(CONFIG)
    return root


def active(found: list[dict]) -> list[tuple[str, str, int]]:
    return sorted((f["rule"], f["symbol"], f["line"]) for f in found if not f["suppressed"])


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@pytest.fixture
def project(tmp_path) -> Path:
    return make_project(tmp_path / "proj")


def test_baseline_file_is_deterministic_and_readable(project):
    code, _, err = run("baseline", str(project), "--no-cache")
    assert code == 0 and "2 findings written to" in err
    path = project / ".knightwatch-baseline.json"
    first = path.read_bytes()
    assert run("baseline", str(project), "--no-cache")[0] == 0 and path.read_bytes() == first
    data = json.loads(first)
    assert data["tool"] == "knightwatch" and data["version"] == 1
    assert [(e["rule"], e["path"]) for e in data["findings"]] == [("KW102", "app/main.py"), ("KW202", "flags.toml")]
    for entry in data["findings"]:
        assert set(entry) == {"fingerprint", "rule", "path", "message"} and len(entry["fingerprint"]) == 32
    assert any("_orphan" in e["message"] for e in data["findings"])


def test_baseline_survives_line_shifts_and_edits_elsewhere(project):
    baseline = project / "accepted.json"
    assert run("baseline", str(project), "--no-cache", "--output", str(baseline))[0] == 0
    _, before = findings(project)
    orphan_line = next(f["line"] for f in before if f["symbol"] == "app.main._orphan")

    main = project / "app" / "main.py"
    edit(main, '"""A small service."""\n', '"""A small service."""\n\nimport os\n\nLIMIT = 5\n\n')  # lines above
    edit(main, "return x + 1", "return x + os.getpid() % LIMIT")  # an edit elsewhere in the file
    edit(project / "flags.toml", '[flags."old.flag"]', '# reviewed 2012-08-01\n\n[flags."old.flag"]')
    edit(project / "flags.toml", 'owner = "team-a"', 'owner = "team-b"')

    code, after = findings(project, "--baseline", str(baseline))
    assert code == 0 and active(after) == []
    moved = next(f for f in after if f["symbol"] == "app.main._orphan")
    assert moved["line"] == orphan_line + 5
    assert all(f["suppressed"] == {"kind": "external", "justification": "in baseline accepted.json"} for f in after)

    with main.open("a") as fh:
        fh.write("\n\ndef _newcomer():\n    return 0\n")
    code, after = findings(project, "--baseline", str(baseline))
    newcomer_line = len(main.read_text().splitlines()) - 1
    assert code == 1 and active(after) == [("KW102", "app.main._newcomer", newcomer_line)]


def test_config_key_and_stale_entries(project):
    assert run("baseline", str(project), "--no-cache")[0] == 0
    edit(project / "pyproject.toml", "[tool.knightwatch]\n", '[tool.knightwatch]\nbaseline = ".knightwatch-baseline.json"\n')
    code, out, _ = run("check", str(project), "--no-cache", "--no-progress")
    assert code == 0 and "No findings in 2 files; 2 suppressed." in out
    edit(project / "app" / "main.py", "def _orphan(y):\n    return y * 2\n", "")
    code, out, _ = run("check", str(project), "--no-cache", "--format", "json")
    notes = json.loads(out)["notes"]
    assert code == 0 and any("1 of 2 entries matched no finding" in n for n in notes), notes


@pytest.mark.parametrize(("content", "message"), [
    (None, "baseline not found (write one with `knightwatch baseline`)"),
    ('{"tool": "knightwatch", "findings": [', "not a knightwatch baseline: invalid JSON at line 1"),
    ("[1, 2]", "not a knightwatch baseline (expected"),
    ('{"tool": "knightwatch", "version": 1, "findings": [{"rule": "KW102"}]}', "not a knightwatch baseline"),
    ('{"tool": "knightwatch", "version": 7, "findings": []}', "baseline version 7 is not supported"),
    (b"\xff\xfe{", "not UTF-8 text"),
])
def test_bad_baseline_is_a_one_line_error(project, content, message):
    path = project / "base.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    code, out, err = run("check", str(project), "--no-cache", "--baseline", str(path))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith(f"knightwatch: error: {path}: ") and message in err, err


def test_missing_configured_baseline_is_an_error(project):
    edit(project / "pyproject.toml", "[tool.knightwatch]\n", '[tool.knightwatch]\nbaseline = "gone.json"\n')
    code, _, err = run("check", str(project), "--no-cache")
    assert code == 2 and "gone.json: baseline not found" in err and "Traceback" not in err


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_baseline_ref_reports_only_new_findings(tmp_path):
    repo = tmp_path / "repo"
    project = make_project(repo / "services" / "proj")  # the project is a subdirectory of the repository
    git_repo(repo)
    main = project / "app" / "main.py"
    edit(main, '"""A small service."""\n', '"""A small service."""\n\n\n')
    with main.open("a") as fh:
        fh.write("\n\ndef _fresh():\n    return 1\n")

    code, found = findings(project, "--baseline-ref", "HEAD")
    assert code == 1 and [(f["rule"], f["symbol"]) for f in found] == [("KW102", "app.main._fresh")]
    _, out, _ = run("check", str(project), "--no-cache", "--format", "json", "--baseline-ref", "HEAD")
    assert "--baseline-ref HEAD: 2 finding(s) already present there not reported" in json.loads(out)["notes"]
    assert git(repo, "worktree", "list").count("\n") == 1  # the repository is left as it was
    assert git(repo, "status", "--porcelain") == " M services/proj/app/main.py\n"


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_baseline_ref_uses_todays_coverage_and_the_same_config(tmp_path):
    project = scratch_fixture(SMARS, tmp_path / "smars")
    shutil.move(project / "prodcov", tmp_path / "prodcov")
    git_repo(project)  # the commit has no coverage data ...
    shutil.move(tmp_path / "prodcov", project / "prodcov")  # ... the working tree has
    code, found = findings(project, "--baseline-ref", "HEAD")
    assert code == 0 and found == []  # coverage-based findings existed at HEAD too


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_baseline_ref_without_the_registry_then(project):
    (project / "flags.toml").rename(project.parent / "flags.toml")
    git_repo(project)
    (project.parent / "flags.toml").rename(project / "flags.toml")
    code, found = findings(project, "--baseline-ref", "HEAD")
    assert code == 1 and [(f["rule"], f["path"]) for f in found] == [("KW202", "flags.toml")]


@pytest.mark.parametrize(("setup", "ref", "message"), [
    (False, "HEAD", "is not in a git repository"),
    (True, "no-such-branch", "'no-such-branch' is not a commit in"),
    (True, "--output=x", "'--output=x' is not a commit in"),
])
def test_baseline_ref_errors(project, setup, ref, message):
    if shutil.which("git") is None:
        pytest.skip("needs git")
    if setup:
        git_repo(project)
    code, out, err = run("check", str(project), "--no-cache", f"--baseline-ref={ref}")
    assert code == 2 and out == "" and err.count("\n") == 1 and message in err, err
