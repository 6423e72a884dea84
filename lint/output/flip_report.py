"""Reports of `knightwatch flip`: text (per host group, riskiest first), JSON, and SARIF (each woken
branch a KW501 result whose codeFlow runs from the flag read to the sink it reaches)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from knightwatch.output.blast import RISKS, Blast, Branch
from knightwatch.finding import finalise
from knightwatch.result import RunResult

if TYPE_CHECKING:
    from knightwatch.analysis import Analysis


def _value(value: bool) -> str:
    return "on" if value else "off"


def _status(branch: Branch, host: str, value: bool) -> str:
    return {
        "ran": f"ran on this host with the flag {_value(value)}: the value sends it down this path",
        "untested": "never ran on this host: the value wakes it untested",
        "closed": f"not woken here: the flag was {_value(value)} on this host and this branch still never ran",
        "unreached": "not woken here: this host never ran the flag read",
    }[branch.hosts[host]]


def _reach(branch: Branch) -> str:
    top = branch.top_sink
    if top is None:
        return "reaches no sink"
    return f"reaches sink {top.sink}" + (" with no breaker before it" if not top.guarded else " after a breaker")


def _hosts(hosts: list[str]) -> str:
    return hosts[0] if len(hosts) == 1 else f"{', '.join(hosts)} ({len(hosts)} identical hosts)"


def render_text(result: Blast) -> str:
    head = f"{result.key}={_value(result.value)}" + (f" ({result.kind} flag)" if result.kind else " (not in the registry)")
    out = [f"{head}: {len(result.wakes)} branch(es) taken only when it is {_value(result.value)}, "
           f"over {len(result.hosts)} host(s)", ""]
    for hosts, branches in result.groups():
        woken = [b for b in branches if b.hosts[hosts[0]] in RISKS]
        out.append(f"{_hosts(hosts)}: wakes {len(woken)} branch(es); flag sides seen in production: "
                   f"{result.observed[hosts[0]]}")
        for n, b in enumerate(branches, 1):
            risk = b.severity.label.upper() if b in woken else "-"
            out.append(f"  {n}. {risk:<8} {b.region.path}:{b.region.start}  {_reach(b)}")
            out.append(f"     {_status(b, hosts[0], result.value)}")
            if b in woken:
                out += [f"       {s.path}:{s.line}  {s.message}" for s in b.trace()]
                if b.woken:
                    out.append(f"     reachable only through this value: {', '.join(b.woken)}")
        out.append("")
    if result.stops:
        out.append(f"Setting it {_value(result.value)} stops these branches (taken only when it is "
                   f"{_value(not result.value)}):")
        out += [f"  {b.region.path}:{b.region.start}  {_reach(b)}" for b in result.stops]
    return "\n".join(out).rstrip() + "\n"


def _branch_json(b: Branch) -> dict:
    return {"path": b.region.path, "line": b.region.start, "end_line": b.region.end, "kind": b.region.kind,
            "reach": b.reach, "severity": b.severity.label, "woken_functions": b.woken,
            "sinks": [{"sink": s.sink, "path": s.site.path, "line": s.site.line, "guarded": s.guarded}
                      for s in b.sinks],
            "trace": [{"path": s.path, "line": s.line, "column": s.column, "message": s.message} for s in b.trace()]}


def render_json(result: Blast) -> str:
    groups = []
    for hosts, branches in result.groups():
        groups.append({"hosts": hosts, "observed": result.observed[hosts[0]],
                       "branches": [_branch_json(b) | {"status": b.hosts[hosts[0]], "wakes": b.hosts[hosts[0]] in RISKS}
                                    for b in branches]})
    return json.dumps({"flag": result.key, "value": result.value, "kind": result.kind, "hosts": result.hosts,
                       "groups": groups, "stops": [_branch_json(b) for b in result.stops]}, indent=2) + "\n"


def as_result(result: Blast, analysis: Analysis) -> RunResult:
    """Each branch the value wakes on some host group, as a KW501 finding (for SARIF)."""
    from knightwatch.engine import lines_reader
    from knightwatch.rules import BY_ID

    rule = BY_ID["KW501"]()
    findings = []
    for hosts, branches in result.groups():
        for b in branches:
            status = b.hosts[hosts[0]]
            if status not in RISKS:
                continue
            findings.append(rule.finding(
                b.region.path, b.region.start,
                f"{result.key}={_value(result.value)} on {', '.join(hosts)}: this branch "
                f"{'ran there with that value' if status == 'ran' else 'never ran there'} and {_reach(b)}",
                severity=b.severity, symbol=f"{b.region.read.site.caller}:{result.key}:{b.region.kind}:{hosts[0]}",
                trace=b.trace(), flag=result.key, value=result.value, hosts=hosts, status=status, woken=b.woken))
    return RunResult(root=analysis.config.root, findings=finalise(findings, lines_reader(analysis)),
                     rules=[type(rule)], files_analysed=len(analysis.files), hosts=result.hosts)


def render_flip(fmt: str, result: Blast, analysis: Analysis) -> str:
    if fmt == "text":
        return render_text(result)
    if fmt == "json":
        return render_json(result)
    from knightwatch.output.report import render

    return render("sarif", as_result(result, analysis))
