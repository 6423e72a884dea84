"""GitLab Code Quality: exact issue shape, severity mapping, suppressed findings left out."""

from __future__ import annotations

import json

from knightwatch.finding import Severity
from knightwatch.output.report import render
from test_report_common import breaker, dormant, make_result, stale


def test_exact_shape():
    result = make_result()
    issues = json.loads(render("gitlab", result))
    kw301 = next(f for f in result.findings if f.rule == "KW301")
    kw201 = next(f for f in result.findings if f.rule == "KW201")
    assert issues == [
        {"description": "`power_peg` never ran on 8 hosts", "check_name": "KW201", "fingerprint": kw201.fingerprint,
         "severity": "major", "location": {"path": "src/orders.py", "lines": {"begin": 3}}},
        {"description": "`send` is reachable without `check_quantity`", "check_name": "KW301",
         "fingerprint": kw301.fingerprint, "severity": "critical",
         "location": {"path": "src/orders.py", "lines": {"begin": 5}}},
    ]


def test_severity_mapping_and_unique_fingerprints():
    findings = [breaker(), breaker(line=4, severity=Severity.HIGH), dormant(severity=Severity.MEDIUM), stale()]
    issues = json.loads(render("gitlab", make_result(findings)))
    assert sorted(i["severity"] for i in issues) == ["critical", "info", "major", "minor"]
    assert len({i["fingerprint"] for i in issues}) == len(issues)


def test_no_findings_is_an_empty_array():
    assert render("gitlab", make_result([])) == "[]\n"
