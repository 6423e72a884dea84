"""The audit model: one plain JSON-able dict built from a RunResult and its Analysis.

It is what `audit.json` holds, what `--previous` is diffed against, and all the renderers see.
"""

from __future__ import annotations

import json
from pathlib import Path

from knightwatch.output.audit.graphs import focus_graph
from knightwatch.output.audit.provenance import controls
from knightwatch.output.audit.sections import calendar, dormant_code, flag_lineage, host_drift, safety_paths
from knightwatch.output.audit.trend import compare
from knightwatch.clock import today
from knightwatch.errors import KnightwatchError
from knightwatch.finding import Finding, Severity
from knightwatch.fix.targets import fix_command, stale_values
from knightwatch.output.inventory import STATUSES, build_inventory
from knightwatch.result import TOOL_NAME, RunResult
from knightwatch.rules import ALL_RULES, BY_ID

SCHEMA = "knightwatch-audit/1"
TOP_RISKS = 5
#: rules whose findings are legacy code: dormant, dead, recycled or run by a minority of hosts
LEGACY_RULES = frozenset(r.id for r in ALL_RULES if r.legacy)


def _innermost_regions(analysis, f: Finding) -> list:
    """The gated regions a finding is about: the on side of a read on its line, else the tightest region around it."""
    reads = [r for r in analysis.flags.reads if r.path == f.path] if analysis.flags else []
    at_read = [reg for r in reads if r.line == f.line for reg in r.regions if reg.on]
    if at_read:
        return at_read
    around = [reg for r in reads for reg in r.regions if reg.start <= f.line <= reg.end]
    return sorted(around, key=lambda reg: reg.end - reg.start)[:1]


def reaches_sink(analysis, f: Finding) -> bool:
    """Whether the code a finding is about can call a money-moving sink."""
    if not analysis.safety:
        return False
    if f.rule in BY_ID and BY_ID[f.rule].about_unguarded_sink:
        return True
    if f.symbol in analysis.callgraph.graph:
        prefix = f.symbol + "."
        return any(q == f.symbol or q.startswith(prefix) for q in analysis.sink_reachers)
    return analysis.sites_reach_sink([s for reg in _innermost_regions(analysis, f) for s in reg.sites])


def _finding(analysis, f: Finding) -> dict:
    return {
        "fingerprint": f.fingerprint,
        "rule": f.rule,
        "name": f.name,
        "severity": f.severity.label,
        "path": f.path,
        "line": f.line,
        "column": f.column,
        "message": f.message,
        "symbol": f.symbol,
        "trace": [{"path": s.path, "line": s.line, "message": s.message} for s in f.trace],
        "suppressed": f.suppression.kind if f.suppression else None,
        "reaches_sink": reaches_sink(analysis, f),
        "legacy": f.rule in LEGACY_RULES,
    }


def _risk_key(f: dict) -> tuple:
    """Dormant or recycled code that can reach a sink first, then by severity."""
    return (not (f["legacy"] and f["reaches_sink"]), -Severity.parse(f["severity"]), f["path"], f["line"])


def metrics(model: dict) -> list[dict]:
    """The counts a trend compares, each with a stable key; for all of them, more is worse."""
    summary = model["summary"]
    out = [{"key": "findings", "label": "Findings", "value": summary["findings"]}]
    out += [{"key": f"severity.{s}", "label": s.capitalize(), "value": n} for s, n in summary["by_severity"].items()]
    names = {r["id"]: r["name"] for r in model["rules"]}
    out += [{"key": f"rule.{rule}", "label": f"{rule} {names.get(rule, '')}".strip(), "value": n}
            for rule, n in summary["by_rule"].items()]
    statuses = [s for e in model["flags"] for s in e["statuses"]]  # a recycled, expired flag counts as both
    out += [{"key": f"flags.{s}", "label": f"{s.capitalize()} flags", "value": statuses.count(s)}
            for s in STATUSES if s != "live"]
    dormant = model["dormant"]
    out += [
        {"key": "dormant.functions", "label": "Dormant functions",
         "value": sum(1 for m in dormant for fn in m["functions"] if not fn.get("awaiting"))},
        {"key": "dormant.regions", "label": "Dormant branches", "value": sum(len(m["regions"]) for m in dormant)},
        {"key": "dormant.lines", "label": "Dormant lines", "value": sum(m["lines"] for m in dormant)},
        {"key": "drift.rows", "label": "Code run by only some hosts", "value": len(model["drift"]["rows"])},
        {"key": "drift.minority", "label": "Code run by a minority of hosts",
         "value": sum(1 for r in model["drift"]["rows"] if r["minority"])},
        {"key": "safety.unguarded", "label": "Unguarded sink calls",
         "value": sum(1 for s in model["safety"] for site in s["sites"] if site["guarded"] is False)},
    ]
    return out


def build(result: RunResult, analysis, *, previous: dict | None = None) -> dict:
    """The whole audit as plain data, deterministic for the same input (the date aside)."""
    findings = [_finding(analysis, f) for f in result.findings]
    active = [f for f in findings if f["suppressed"] is None]
    summary = result.summary()
    critical = [f for f, d in zip(result.findings, findings) if d["suppressed"] is None
                and f.severity is Severity.CRITICAL]
    model = {
        "schema": SCHEMA,
        "tool": {"name": TOOL_NAME, "version": result.version},
        "project": Path(result.root).name,
        "generated": today().isoformat(),
        "files": result.files_analysed,
        "hosts": list(analysis.hosts),
        "rules": [{"id": r.id, "name": r.name, "summary": r.docs().summary} for r in result.rules],
        "notes": list(result.notes),
        "summary": {k: summary[k] for k in ("findings", "suppressed", "by_severity", "by_rule")},
        "findings": findings,
        "top_risks": [f["fingerprint"] for f in sorted(active, key=_risk_key)[:TOP_RISKS]],
        "flags": build_inventory(analysis, result.findings),
        "dormant": dormant_code(analysis),
        "calendar": calendar(analysis),
        "drift": host_drift(analysis),
        "lineage": flag_lineage(analysis),
        "safety": safety_paths(analysis),
        "graphs": [focus_graph(analysis, f) for f in critical],
    }
    retire = stale_values(analysis, result.findings)[0] if analysis.hosts else {}
    for entry in model["flags"]:  # the command that retires each stale flag
        entry["fix"] = fix_command(entry["key"], retire[entry["key"]]) if entry["key"] in retire else None
    model["controls"] = controls(model)
    model["metrics"] = metrics(model)
    model["trend"] = compare(model, previous) if previous is not None else None
    return model


def dumps(model: dict) -> str:
    return json.dumps(model, indent=2) + "\n"


def load_previous(path: Path) -> dict:
    """A previous audit's JSON, checked enough to diff against; a clear error otherwise."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise KnightwatchError(f"{path}: cannot read previous audit: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise KnightwatchError(f"{path}: previous audit is not valid JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise KnightwatchError(f"{path}: not a knightwatch audit JSON (expected \"schema\": \"{SCHEMA}\")")
    for key, kind in (("findings", list), ("metrics", list), ("generated", str)):
        if not isinstance(data.get(key), kind):
            raise KnightwatchError(f"{path}: previous audit: {key!r} must be a {kind.__name__}")
    for i, f in enumerate(data["findings"]):
        if not isinstance(f, dict) or not all(isinstance(f.get(k), str) for k in ("fingerprint", "rule", "severity")):
            raise KnightwatchError(f"{path}: previous audit: findings[{i}] lacks fingerprint, rule or severity")
    for i, m in enumerate(data["metrics"]):
        if not isinstance(m, dict) or not isinstance(m.get("key"), str) or not isinstance(m.get("value"), int):
            raise KnightwatchError(f"{path}: previous audit: metrics[{i}] needs a string key and an integer value")
    return data
