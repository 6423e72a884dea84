"""Build small projects in a temp dir, run them under coverage.py as "hosts", and check them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from click.testing import CliRunner

from knightwatch.cli import main


def git(repo: Path, *args: str) -> str:
    """Run git in REPO with a fixed committer; its stripped output."""
    return subprocess.run(["git", "-C", str(repo), "-c", "user.name=kw", "-c", "user.email=kw@example.com", *args],
                          check=True, capture_output=True, text=True, timeout=60).stdout.strip()


def make_project(root: Path, files: dict[str, str], config: str = "") -> Path:
    """Write FILES (relative path -> source, dedented) and a pyproject.toml with CONFIG under ROOT."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    if config:
        (root / "pyproject.toml").write_text("[project]\nname = 'sample'\n\n" + textwrap.dedent(config))
    return root


def run_hosts(root: Path, package: str, module: str, hosts: dict[str, list[str]], out: str = "prodcov") -> Path:
    """Really run `python -m MODULE ARGS` under coverage (branch) once per host, each from its own
    deploy copy of PACKAGE, writing ROOT/OUT/.coverage.<host>."""
    target = root / out
    target.mkdir(exist_ok=True)
    for host, args in hosts.items():
        deploy = root.parent / f"deploy-{root.name}" / host
        if deploy.exists():
            shutil.rmtree(deploy)
        shutil.copytree(root / package, deploy / package)
        subprocess.run([sys.executable, "-m", "coverage", "run", "--branch",
                        f"--data-file={target / f'.coverage.{host}'}", "-m", module, *args],
                       cwd=deploy, check=True, capture_output=True, timeout=120)
    return target


def check_json(root: Path, *args: str) -> tuple[int, dict, str]:
    """Run `knightwatch check ROOT --format json` in-process; (exit code, report, stderr)."""
    result = CliRunner().invoke(main, ["check", str(root), "--format", "json", "--no-cache", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    try:
        report = json.loads(result.stdout) if result.stdout.strip() else {}
    except json.JSONDecodeError:
        report = {}
    return result.exit_code, report, result.stderr


def rules_at(report: dict, rule: str) -> list[tuple[str, int]]:
    return sorted((f["path"], f["line"]) for f in report.get("findings", []) if f["rule"] == rule)
