"""The JSON report: every finding (suppressed ones marked), the summary and the notes."""

from __future__ import annotations

from typing import Any

from knightwatch.finding import Finding
from knightwatch.output.report.common import dump_json, fingerprint_of, ordered, properties
from knightwatch.result import TOOL_NAME, RunResult


def finding_dict(f: Finding) -> dict[str, Any]:
    """One finding as a JSON object."""
    return {
        "rule": f.rule,
        "name": f.name,
        "severity": f.severity.label,
        "level": f.severity.sarif_level,
        "path": f.path,
        "line": f.line,
        "column": f.column,
        "end_line": f.end_line,
        "end_column": f.end_column,
        "message": f.message,
        "symbol": f.symbol,
        "snippet": f.snippet,
        "fingerprint": fingerprint_of(f),
        "trace": [{"path": s.path, "line": s.line, "column": s.column, "message": s.message} for s in f.trace],
        "properties": properties(f),
        "suppressed": None if f.suppression is None else {
            "kind": f.suppression.kind,
            "justification": f.suppression.justification,
        },
    }


def render(result: RunResult) -> str:
    return dump_json({
        "tool": {"name": TOOL_NAME, "version": result.version},
        "findings": [finding_dict(f) for f in ordered(result.findings)],
        "summary": result.summary(),
        "notes": list(result.notes),
    })
