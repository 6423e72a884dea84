"""One small project per rule under tests/rules/<code>_<name>/, each checked with only its rule
selected; its findings must match the inline `# expect:` comments exactly (the planted conditions
are found, the look-alikes beside them stay silent).

A case's optional `case.toml` says how to record the production coverage it needs, really running
it under coverage.py: `[hosts]` maps a host to the arguments of `python -m MODULE` (with `package`
and `module` at the top), `tests-module` is run once as the project's test suite
(`--test-coverage`), `candidate-flags` names the release's flag file (`--candidate-flags`), and
`select` widens `--select` for a rule that judges others (KW002)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from expectations import actual_findings, expected_findings
from projects import check_json, run_hosts

from knightwatch.config import tomllib
from knightwatch.rules import ALL_RULES

CASES = Path(__file__).resolve().parent
CASE_DIR = re.compile(r"(KW\d{3})_(\w+)")
RULE_NAMES = {r.id: r.name for r in ALL_RULES}


def cases() -> list[Path]:
    return sorted(p for p in CASES.iterdir() if p.is_dir() and CASE_DIR.fullmatch(p.name))


def prepared(case: Path, tmp: Path) -> tuple[Path, list[str]]:
    """Copy CASE into TMP, record the coverage its case.toml asks for; (project root, extra CLI args)."""
    root = tmp / case.name
    shutil.copytree(case, root, ignore=shutil.ignore_patterns("__pycache__", "case.toml"))
    spec_file = case / "case.toml"
    spec = tomllib.loads(spec_file.read_text()) if spec_file.exists() else {}
    args = ["--select", spec.get("select", case.name[:5])]
    if spec.get("hosts"):
        run_hosts(root, spec["package"], spec["module"], spec["hosts"])
    if spec.get("tests-module"):
        data = tmp / f"{case.name}.tests.coverage"
        subprocess.run([sys.executable, "-m", "coverage", "run", "--branch", f"--data-file={data}",
                        "-m", spec["tests-module"]], cwd=root, check=True, capture_output=True, timeout=120)
        args += ["--test-coverage", str(data)]
    if spec.get("candidate-flags"):
        args += ["--candidate-flags", str(root / spec["candidate-flags"])]
    return root, args


def test_every_rule_has_a_case_named_after_it():
    named = {CASE_DIR.fullmatch(p.name).groups() for p in cases()}
    assert named == {(code, name.replace("-", "_")) for code, name in RULE_NAMES.items()}


@pytest.mark.parametrize("case", cases(), ids=lambda p: p.name)
def test_rule_case_findings_match_inline_expectations_exactly(case, tmp_path):
    code = case.name[:5]
    root, args = prepared(case, tmp_path)
    status, report, err = check_json(root, *args)
    expected = expected_findings(root)
    assert {rule for (_, _, rule, _) in expected} == {code}, "a case plants its own rule only"
    assert status == 1, err
    actual = actual_findings(f for f in report["findings"] if not f["suppressed"])
    missing, unexpected = expected - actual, actual - expected
    assert not missing and not unexpected, f"missing: {sorted(missing)}\nunexpected: {sorted(unexpected)}"
