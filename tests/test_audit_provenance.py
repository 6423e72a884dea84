"""Audit provenance and controls, through `knightwatch audit`: the exact inputs (commit of a real git
repo, SHA-256 of each coverage file, registry, configuration), a digest of the whole report that a
changed byte breaks, and the controls section stating it is evidence, not certification."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess

from knightwatch import __version__
from knightwatch.output.audit.provenance import digest
from test_suppressions import SMARS, run, scratch_fixture


def _git(root, *args) -> str:
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True,
                          env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "t",
                               "GIT_COMMITTER_EMAIL": "t@x", "PATH": "/usr/bin:/bin"}).stdout.strip()


def test_inputs_digest_and_controls(tmp_path, monkeypatch):
    monkeypatch.setenv("KNIGHTWATCH_TODAY", "2012-08-01")
    root = scratch_fixture(SMARS, tmp_path / "smars")
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "release 2012.08.01")
    out = tmp_path / "audit.md"
    code, _, err = run("audit", str(root), "--format", "markdown", "--output", str(out), "--no-cache")
    assert code == 0, err
    model = json.loads(out.with_suffix(".json").read_text())
    inputs = model["inputs"]
    assert inputs["commit"] == _git(root, "rev-parse", "HEAD") and inputs["uncommitted_changes"] is False
    assert inputs["knightwatch"] == __version__
    assert [c["host"] for c in inputs["coverage"]] == [f"nyc-smars-0{i}" for i in range(1, 9)]
    for c in inputs["coverage"] + [inputs["registry"], inputs["configuration"]]:
        assert c["sha256"] == hashlib.sha256((root / c["path"]).read_bytes()).hexdigest()
    assert model["digest"] == {"algorithm": "sha256", "value": digest(model)}
    tampered = dict(model, findings=model["findings"][1:])
    assert digest(tampered) != model["digest"]["value"]
    # the same inputs give the same report, digest included
    again = tmp_path / "again.md"
    run("audit", str(root), "--format", "markdown", "--output", str(again), "--no-cache")
    assert json.loads(again.with_suffix(".json").read_text())["digest"] == model["digest"]
    assert again.read_text() == out.read_text()

    duties = {(d["rule"], d["duty"]): d for d in model["controls"]["duties"]}
    assert sorted(duties) == [(rule, duty) for rule in ("KW301", "KW501", "KW502")
                              for duty in ("MiFID II RTS 6 (algorithmic trading)", "SEC Rule 15c3-5 (market access)")]
    kw301 = duties[("KW301", "SEC Rule 15c3-5 (market access)")]
    assert kw301["checked"] and len(kw301["findings"]) == 1
    assert duties[("KW502", "MiFID II RTS 6 (algorithmic trading)")]["findings"] == []
    # no article or paragraph number: none has been checked against the rules' texts
    cited = " ".join(d["duty"] + " " + d["text"] for d in model["controls"]["duties"])
    assert not re.search(r"Art\.|Article|\(\w\)\(|15c3-5\(", cited + model["controls"]["disclaimer"])
    assert model["controls"]["disclaimer"].startswith("This section is evidence, not certification.")
    text = out.read_text()
    assert "## Pre-trade controls" in text and "## Provenance" in text and model["digest"]["value"] in text


def test_html_sections_and_a_tree_outside_git(tmp_path):
    root = scratch_fixture(SMARS, tmp_path / "smars")
    out = tmp_path / "audit.html"
    code, _, err = run("audit", str(root), "--output", str(out), "--no-cache")
    assert code == 0, err
    page = out.read_text()
    assert 'id="controls"' in page and 'id="provenance"' in page and "evidence, not certification" in page
    model = json.loads(out.with_suffix(".json").read_text())
    assert model["inputs"]["commit"] is None and "not a git checkout" in page
