"""SARIF 2.1.0 for GitHub code scanning: rule metadata from the docs, code paths as codeFlows."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from knightwatch.finding import Finding, TraceStep
from knightwatch.output.report.common import dump_json, fingerprint_of, ordered, plural, properties
from knightwatch.result import TOOL_NAME, TOOL_URI, RunResult
from knightwatch.rule import Rule

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
#: GitHub rejects runs with more results than this
MAX_RESULTS = 25_000


def _text(text: str, fallback: str) -> dict[str, str]:
    return {"text": text.strip() or fallback}


def rule_descriptor(rule: type[Rule]) -> dict[str, Any]:
    """A reportingDescriptor with everything GitHub shows for a rule."""
    docs = rule.docs()
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": _text(docs.summary, rule.name),
        "fullDescription": _text(docs.full_description, rule.name),
        "help": {"text": docs.text.strip() or rule.name, "markdown": docs.markdown.strip() or rule.name},
        "defaultConfiguration": {"level": rule.severity.sarif_level},
        "properties": {
            "tags": list(dict.fromkeys(rule.tags)),
            "precision": rule.precision,
            "security-severity": rule.severity.security_severity,
        },
    }


def _physical(path: str, region: dict[str, int]) -> dict[str, Any]:
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": quote(path), "uriBaseId": SRCROOT},
            "region": region,
        }
    }


def _region(f: Finding) -> dict[str, int]:
    """Start and end, all 1-based; an unknown end column runs to the end of the code line."""
    line, column = max(1, f.line), max(1, f.column)
    end_line = max(line, f.end_line)
    end_column = f.end_column if f.end_column >= 1 else len(f.snippet.rstrip()) + 1
    if end_line == line:
        end_column = max(column, end_column)
    return {"startLine": line, "startColumn": column, "endLine": end_line, "endColumn": max(1, end_column)}


def _step(step: TraceStep, **extra: Any) -> dict[str, Any]:
    location = _physical(step.path, {"startLine": max(1, step.line), "startColumn": max(1, step.column)})
    return {**extra, **location, "message": {"text": step.message}}


def sarif_result(f: Finding, rule_index: dict[str, int]) -> dict[str, Any]:
    """One SARIF result; the code path becomes a codeFlow and relatedLocations."""
    out: dict[str, Any] = {"ruleId": f.rule}
    if f.rule in rule_index:
        out["ruleIndex"] = rule_index[f.rule]
    out["level"] = f.severity.sarif_level
    out["message"] = {"text": f.message}
    out["locations"] = [_physical(f.path, _region(f))]
    out["partialFingerprints"] = {"primaryLocationLineHash": f"{fingerprint_of(f)}:1"}
    props = {"severity": f.severity.label, "security-severity": f.severity.security_severity}
    props.update((key, value) for key, value in properties(f).items() if key not in props)
    out["properties"] = props
    if f.trace:
        out["codeFlows"] = [{"threadFlows": [{"locations": [{"location": _step(s)} for s in f.trace]}]}]
        out["relatedLocations"] = [_step(s, id=i) for i, s in enumerate(f.trace, start=1)]
    if f.suppression is not None:
        out["suppressions"] = [{"kind": f.suppression.kind, "justification": f.suppression.justification}]
    return out


def _capped(findings: list[Finding], limit: int) -> list[Finding]:
    """Keep `limit` findings: active before suppressed, most severe first; return in sort_key order."""
    keep = sorted(findings, key=lambda f: (f.suppression is not None, -f.severity, f.sort_key))[:limit]
    return ordered(keep)


def _notification(text: str, level: str) -> dict[str, Any]:
    return {"level": level, "message": {"text": text}}


def render(result: RunResult) -> str:
    rules = sorted({r.id: r for r in result.rules}.values(), key=lambda r: r.id)
    rule_index = {r.id: i for i, r in enumerate(rules)}
    findings = _capped(result.findings, MAX_RESULTS)
    notifications = [_notification(note, "note") for note in result.notes]
    dropped = len(result.findings) - len(findings)
    if dropped:
        notifications.append(_notification(
            f"{plural(dropped, 'result')} of {len(result.findings)} dropped: SARIF output is capped at "
            f"{MAX_RESULTS} results; the most severe were kept.", "warning"))
    invocation: dict[str, Any] = {"executionSuccessful": True}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    root_uri = Path(result.root).resolve().as_uri()
    if not root_uri.endswith("/"):
        root_uri += "/"
    run: dict[str, Any] = {
        "tool": {"driver": {
            "name": TOOL_NAME,
            "version": result.version,
            "informationUri": TOOL_URI,
            "rules": [rule_descriptor(r) for r in rules],
        }},
        "invocations": [invocation],
        "originalUriBaseIds": {SRCROOT: {"uri": root_uri}},
        "results": [sarif_result(f, rule_index) for f in findings],
    }
    if result.category:
        run["automationDetails"] = {"id": result.category.rstrip("/") + "/"}
    return dump_json({"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]})
