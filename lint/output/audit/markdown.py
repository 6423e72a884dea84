"""The audit as Markdown, for a wiki page or a CI job summary; rendered from the model only."""

from __future__ import annotations

from knightwatch.output.audit.view import (awaiting_text, calendar_rows, change_text, flag_age, host_labels, route_text,
                                    top_risks, trend_sentence, verdict, why, window_text)
from knightwatch.output.inventory import format_age, kept_text, state_text
from knightwatch.output.report.common import plural
from knightwatch.output.report.markdown import _cell as cell


def _row(cells) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def _table(head: list[str], rows: list[list], right: int = 0) -> list[str]:
    """A table; the last RIGHT columns are right-aligned."""
    align = ["---"] * (len(head) - right) + ["--:"] * right
    return [_row(head), _row(align), *(_row(r) for r in rows), ""]


def _code(text) -> str:
    return f"`{str(text).replace('`', '')}`"


def _headline(model: dict) -> list[str]:
    s = model["summary"]
    names = {r["id"]: r["name"] for r in model["rules"]}
    out = ["## Headline", "", f"**{cell(verdict(model))}**", ""]
    out += _table(["Severity", "Findings"], [[k.capitalize(), n] for k, n in s["by_severity"].items()], 1)
    if s["by_rule"]:
        out += _table(["Rule", "Findings"], [[f"{r} {names.get(r, '')}", n] for r, n in s["by_rule"].items()], 1)
    risks = top_risks(model)
    if risks:
        out += ["### Top risks", ""]
        out += _table(["#", "Severity", "Why", "Where", "Finding"],
                      [[i, f["severity"], cell(why(f)), _code(f"{f['path']}:{f['line']}"), cell(f["message"])]
                       for i, f in enumerate(risks, 1)])
    return out


def _flags(model: dict) -> list[str]:
    rows = [[_code(f["key"]), ", ".join(f["statuses"]) + (f"<br>retire: {_code(f['fix'])}" if f.get("fix") else ""), f["kind"] or "not in registry", cell(f["owner"]) or "—",
             format_age(f["age_days"]) or "—", f["expires"] or "—", state_text(f) or "—",
             "<br>".join(f"{_code(r['via'])} {r['path']}:{r['line']}" for r in f["reads"])
             or kept_text(f) or "not read"]
            for f in model["flags"]]
    return ["## Flag inventory", ""] + (_table(["Key", "Status", "Kind", "Owner", "Age", "Expires", "Production",
                                                "Read as"], rows) if rows else ["No flags.", ""])


def _dormant(model: dict) -> list[str]:
    out = ["## Dormant code", ""]
    if not model["hosts"]:
        return out + ["No production coverage was given.", ""]
    rows = []
    for m in model["dormant"]:
        what = ["whole module (never imported)"] if not m["imported"] else []
        what += [f"function {_code(fn['name'])} ({'reachable' if fn['reachable'] else 'unreachable'})"
                 + (f", {awaiting_text(fn)}" if fn.get("awaiting") else "")
                 + (f", flag {cell(flag_age(fn))}" if fn["flag"] else "") for fn in m["functions"]]
        what += [f"branch {_code(('if ' if r['side'] == 'on' else 'unless ') + r['flag'])} lines {r['start']}–{r['end']}"
                 + (", off by design" if r["by_design"] else "") + f", flag {cell(flag_age(r))}" for r in m["regions"]]
        rows.append([_code(m["path"]), "<br>".join(what), m["lines"]])
    return out + (_table(["Module", "Never ran in production", "Lines"], rows, 1) if rows
                  else ["Everything ran on at least one host.", ""])


def _calendar(model: dict) -> list[str]:
    cal = model.get("calendar")
    if not cal:
        return []
    out = ["## Calendar", "", "Code reachable only through code tied to a calendar event that fell in no host's "
           "coverage window is not yet observed, not dormant: it is listed here with the next day it can run.", "",
           cell(window_text(cal)), ""]
    return out + _table(["Event", "Falls on", "In the windows", "Code not yet observed"],
                        [[_code(n), cell(d), cell(s), cell(c)] for n, d, s, c in calendar_rows(cal)])


def _drift(model: dict) -> list[str]:
    drift = model["drift"]
    out = ["## Host drift", ""]
    gaps = []
    if drift.get("gaps"):
        gaps = ["### Ran in production, unreachable in the graph", ""] + _table(
            ["Function", "Where", "Hosts"], [[_code(g["function"]), f"{g['path']}:{g['line']}", ", ".join(g["hosts"])]
                                             for g in drift["gaps"]])
    if len(drift["hosts"]) < 2:
        return out + ["Needs production coverage from at least two hosts.", ""] + gaps
    prefix, short = host_labels(drift["hosts"])
    if prefix:
        out += [f"Hosts `{prefix}…`; **bold** rows ran on fewer than half of them.", ""]
    rows = [[(f"**{r['kind']} {_code(r['label'])}**" if r["minority"] else f"{r['kind']} {_code(r['label'])}")
             + (" (per-host rollout)" if r["rollout"] else ""),
             f"{r['path']}:{r['line']}", *("●" if h in r["hosts"] else "·" for h in drift["hosts"])]
            for r in drift["rows"]]
    notes = [f"- {cell(h)}: {cell(msg)}" for h, msgs in drift["problems"].items() for msg in msgs]
    return out + (_table(["Code", "Where", *short], rows) if rows else ["No drift between hosts.", ""]) \
        + (notes + [""] if notes else []) + gaps


def _lineage(model: dict) -> list[str]:
    lineage = model.get("lineage")
    if not lineage:
        return []
    hosts = {r["name"]: r["hosts"] for r in lineage["releases"]}
    out = ["## Flag lineage", ""]
    for flag in lineage["flags"]:
        rows = [[cell(t["release"]), cell(", ".join(hosts[t["release"]])) or "—", cell(t["change"]),
                 "<br>".join(_code(g) for g in t["gated"]) or "—", "<br>".join(_code(s) for s in t["sinks"]) or "—",
                 cell(t["owner"]) or "—"] for t in flag["timeline"]]
        out += [f"### {_code(flag['key'])}", ""] + _table(["Release", "Hosts", "Change", "Gates", "Reaches", "Owner"], rows)
    return out


def _safety(model: dict) -> list[str]:
    out = ["## Safety paths", ""]
    if not model["safety"]:
        return out + ["No sinks configured.", ""]
    for s in model["safety"]:
        out += [f"### Sink {_code(s['sink'])}", "", f"Breakers: {', '.join(map(_code, s['breakers'])) or 'none'}", ""]
        marks = {True: "✔ guarded", False: "✖ **unguarded**", None: "unreachable"}
        out += _table(["Guard", "Call", "Entry → sink", "Why"],
                      [[marks[x["guarded"]], _code(f"{x['path']}:{x['line']}"), cell(route_text(x["route"])) or "—",
                        cell(x["how"])] for x in s["sites"]])
    return out


def _trend(model: dict) -> list[str]:
    t = model["trend"]
    out = ["## Trend", ""]
    if t is None:
        return out + ["No previous audit given (`--previous audit.json`).", ""]
    out += [cell(trend_sentence(t)), ""]
    for title, items in (("New", t["appeared"]), ("Fixed", t["fixed"])):
        out += [f"**{title} ({len(items)})**", ""]
        out += [f"- {f['severity']} {f['rule']} {_code(str(f['path']) + ':' + str(f['line']))}: {cell(f['message'])}"
                for f in items] + [""]
    out += _table(["Count", "Previous", "Now", "Change"],
                  [[c["label"], c["previous"], c["current"], change_text(c)]
                   for c in t["counts"] if c["previous"] or c["current"]], 3)
    return out


def _controls(model: dict) -> list[str]:
    c = model["controls"]
    rows = [[cell(d["duty"]), cell(d["text"]), d["rule"],
             (plural(len(d["findings"]), "finding") if d["findings"] else "no finding") if d["checked"] else "not checked"]
            for d in c["duties"]]
    return ["## Pre-trade controls", "", f"*{cell(c['disclaimer'])}*", ""] + _table(["Duty", "What it asks", "Rule",
                                                                                    "This run"], rows)


def _provenance(model: dict) -> list[str]:
    i = model.get("inputs")
    if not i:
        return []
    rows = [["knightwatch", i["knightwatch"], ""],
            ["commit", i["commit"] or "not a git checkout",
             "with uncommitted changes" if i["uncommitted_changes"] else ""]]
    rows += [[name, _code(i[name]["path"]), _code(i[name]["sha256"])] for name in ("configuration", "registry") if i[name]]
    rows += [[f"coverage {c['host']}", _code(c["path"]), _code(c["sha256"])] for c in i["coverage"]]
    rows += [["test coverage", _code(c["path"]), _code(c["sha256_blake2b128"])] for c in i["test_coverage"]]
    digest = model.get("digest")
    return ["## Provenance", ""] + _table(["Input", "Value", "SHA-256"], rows) + (
        [f"Report digest ({digest['algorithm']} of the audit JSON's canonical form, without this field): "
         f"{_code(digest['value'])}", ""] if digest else [])


def render(model: dict) -> str:
    lines = [f"# Legacy-risk audit: {cell(model['project'])}", "",
             f"Generated {model['generated']} by knightwatch {model['tool']['version']}; "
             f"{plural(model['files'], 'file')}, {plural(len(model['hosts']), 'host')}.", ""]
    for part in (_headline, _flags, _dormant, _calendar, _drift, _lineage, _safety, _controls, _trend, _provenance):
        lines += part(model)
    if model["notes"]:
        lines += ["## Notes", "", *(f"- {cell(n)}" for n in model["notes"]), ""]
    return "\n".join(lines).rstrip("\n") + "\n"
