"""GitLab Code Quality report: a JSON array of issues; suppressed findings are left out."""

from __future__ import annotations

from knightwatch.finding import Severity
from knightwatch.output.report.common import dump_json, fingerprint_of, ordered
from knightwatch.result import RunResult

SEVERITY = {Severity.CRITICAL: "critical", Severity.HIGH: "major", Severity.MEDIUM: "minor", Severity.LOW: "info"}


def render(result: RunResult) -> str:
    return dump_json([
        {
            "description": f.message,
            "check_name": f.rule,
            "fingerprint": fingerprint_of(f),
            "severity": SEVERITY[f.severity],
            "location": {"path": f.path, "lines": {"begin": max(1, f.line)}},
        }
        for f in ordered(result.active)
    ])
