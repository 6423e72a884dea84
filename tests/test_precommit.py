"""The pre-commit hook, run by pre-commit itself (`pre-commit try-repo`) on git repos holding the SMARS fixture.

try-repo installs the hook into a fresh virtualenv on every call. To stay offline and quick, pip
installs only knightwatch itself (no index, no dependencies, no build isolation); the hook's
virtualenv finds the dependencies in this interpreter's site-packages, appended to its path by a
`sitecustomize` (so the hook's own copy of knightwatch comes first); the three scenarios run
concurrently.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from knightwatch.cli import main

REPO = Path(__file__).resolve().parent.parent
IGNORED = shutil.ignore_patterns("__pycache__", ".knightwatch_cache", "*.egg-info", ".knightwatch-baseline.json")
GIT_ENV = {"GIT_AUTHOR_NAME": "kw", "GIT_AUTHOR_EMAIL": "kw@example.com", "GIT_COMMITTER_NAME": "kw",
           "GIT_COMMITTER_EMAIL": "kw@example.com"}
OFFLINE_ENV = {"PIP_NO_INDEX": "1", "PIP_NO_BUILD_ISOLATION": "0", "PIP_NO_DEPS": "1", "PIP_NO_COMPILE": "1"}

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def git_repo(path: Path) -> Path:
    """Turn PATH into a git repository with everything in it committed."""
    env = {**os.environ, **GIT_ENV}
    for args in (["init", "-q"], ["add", "-A"], ["-c", "commit.gpgsign=false", "commit", "-q", "-m", "snapshot"]):
        subprocess.run(["git", *args], cwd=path, env=env, check=True, capture_output=True)
    return path


def hook_repo(tmp: Path) -> Path:
    """A committed copy of knightwatch as it is in the working tree (try-repo would skip untracked files)."""
    repo = tmp / "hook-repo"
    repo.mkdir()
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy2(REPO / name, repo / name)
    for name in ("lint", "rules"):
        shutil.copytree(REPO / name, repo / name, ignore=IGNORED)
    return git_repo(repo)


def add_config(project: Path, line: str) -> None:
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text()
    pyproject.write_text(text.replace("[tool.knightwatch]\n", f"[tool.knightwatch]\n{line}\n", 1))


def fix_flags(project: Path) -> None:
    """Fix both stale-flag findings: extend the expired flag, drop the flag nothing reads."""
    registry = project / "flags.toml"
    text = registry.read_text().replace("expires = 2011-06-30", "expires = 2099-12-31")
    registry.write_text(re.sub(r'\[flags\."ops\.fix42-dropcopy"\][^\[]*', "", text))


def dependencies_path(tmp: Path) -> Path:
    """A directory whose `sitecustomize` appends this interpreter's site-packages to `sys.path`."""
    (tmp / "deps").mkdir()
    dirs = sorted({sysconfig.get_paths()[key] for key in ("purelib", "platlib")})
    (tmp / "deps" / "sitecustomize.py").write_text(f"import site\nfor d in {dirs!r}:\n    site.addsitedir(d)\n")
    return tmp / "deps"


def try_repo(hooks: Path, project: Path, deps: Path) -> subprocess.Popen:
    env = {**os.environ, **GIT_ENV, **OFFLINE_ENV, "PRE_COMMIT_HOME": str(project.parent / "pc-home"),
           "PYTHONPATH": str(deps)}
    return subprocess.Popen([sys.executable, "-m", "pre_commit", "try-repo", str(hooks), "knightwatch",
                             "--all-files", "--color", "never"], cwd=project, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def test_manifest_declares_a_whole_program_hook():
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "knightwatch" and hook["entry"] == "knightwatch check"
    assert hook["language"] == "python" and hook["types"] == ["python"]
    assert hook["pass_filenames"] is False and hook["require_serial"] is True
    assert re.fullmatch(r"\d+\.\d+\.\d+", hook["minimum_pre_commit_version"])


def test_hook_fails_on_the_fixture_and_passes_once_baselined_or_fixed(tmp_path, smars_dir):
    hooks = hook_repo(tmp_path)
    projects = {}
    for scenario in ("as-is", "baselined", "fixed"):
        project = tmp_path / scenario / "smars"
        shutil.copytree(smars_dir, project, ignore=IGNORED)
        projects[scenario] = project

    baselined = projects["baselined"]
    written = CliRunner().invoke(main, ["baseline", str(baselined), "--no-cache"])
    assert written.exit_code == 0, written.output
    add_config(baselined, 'baseline = ".knightwatch-baseline.json"')

    fixed = projects["fixed"]
    add_config(fixed, 'select = ["KW202"]')
    before = CliRunner().invoke(main, ["check", str(fixed), "--no-cache"])
    assert before.exit_code == 1 and "KW202 stale-flag" in before.output  # the stale flags are what fails
    fix_flags(fixed)

    deps = dependencies_path(tmp_path)
    runs = {scenario: try_repo(hooks, git_repo(project), deps) for scenario, project in projects.items()}
    out = {scenario: (run.communicate(timeout=240)[0], run.returncode) for scenario, run in runs.items()}

    text, code = out["as-is"]
    assert code == 1, text
    assert re.search(r"^knightwatch\.+Failed$", text, re.M), text
    assert "KW301 breaker-out-of-reach" in text and "smars/legacy/power_peg.py:28" in text
    for scenario in ("baselined", "fixed"):
        text, code = out[scenario]
        assert code == 0, f"{scenario}:\n{text}"
        assert re.search(r"^knightwatch\.+Passed$", text, re.M), text
