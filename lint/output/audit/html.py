"""The audit as one self-contained HTML page (inline CSS, JS and SVG), rendered from the model only."""

from __future__ import annotations

from html import escape

from knightwatch.output.audit.assets import CSS, JS
from knightwatch.output.audit.svg import bar_chart, graph_svg, trend_chart
from knightwatch.output.audit.view import (SEVERITY_ORDER, awaiting_text, calendar_rows, change_text, flag_detail, host_labels,
                                    route_text, short, top_risks, trend_sentence, verdict, why, window_text)
from knightwatch.output.inventory import STATUSES, format_age, kept_text, state_text
from knightwatch.output.report.common import plural

#: section id -> navigation title, in page order
SECTIONS = (("headline", "Headline"), ("flags", "Flag inventory"), ("dormant", "Dormant code"),
            ("calendar", "Calendar"), ("drift", "Host drift"), ("lineage", "Flag lineage"), ("safety", "Safety paths"),
            ("graphs", "Critical findings"), ("controls", "Pre-trade controls"), ("trend", "Trend"),
            ("findings", "All findings"), ("notes", "Notes"), ("provenance", "Provenance"))


#: metric key -> card label of the legacy-risk indicators under the severity counts
INDICATORS = (("safety.unguarded", "unguarded sink calls"), ("flags.recycled", "recycled flags"),
              ("flags.expired", "expired flags"), ("drift.minority", "minority-host code"),
              ("dormant.lines", "dormant lines"))
NONE = '<span class="muted">—</span>'


def e(value) -> str:
    return escape(str(value), quote=True)


def _code(text) -> str:
    return f"<code>{e(text)}</code>"


def _table(head: list[str], rows: list[str], *, cls: str = "", attrs: str = "") -> str:
    ths = "".join(h if h.startswith("<th") else f"<th>{h}</th>" for h in head)
    return (f'<table class="{cls}"{attrs}><thead><tr>{ths}</tr></thead><tbody>'
            + "".join(rows) + "</tbody></table>")


def _section(sid: str, lead: str, body: str) -> str:
    title = dict(SECTIONS)[sid]
    return f'<section id="{sid}"><h2>{title}</h2><p class="lead">{lead}</p>{body}</section>'


def _sev(label: str) -> str:
    return f'<span class="sev sev-{e(label)}">{e(label)}</span>'


def _loc(f: dict) -> str:
    return _code(f"{f['path']}:{f['line']}")


def _header(model: dict) -> str:
    hosts = len(model["hosts"])
    meta = [f"Generated {e(model['generated'])}", f"knightwatch {e(model['tool']['version'])}",
            plural(model["files"], "file"), plural(hosts, "host") + (" of production coverage" if hosts else "")]
    toc = "".join(f'<a href="#{sid}">{title}</a>' for sid, title in SECTIONS)
    return (f"<header><h1>Legacy-risk audit: {e(model['project'])}</h1>"
            f'<p class="meta">{" · ".join(meta)}</p><p class="verdict">{e(verdict(model))}</p></header>'
            f'<nav class="toc">{toc}</nav>')


def _headline(model: dict) -> str:
    s = model["summary"]
    cards = "".join(f'<div class="card {sev}"><div class="n">{n}</div><div class="k">{sev}</div></div>'
                    for sev, n in s["by_severity"].items())
    cards += f'<div class="card total"><div class="n">{s["findings"]}</div><div class="k">findings</div></div>'
    if s["suppressed"]:
        cards += f'<div class="card"><div class="n">{s["suppressed"]}</div><div class="k">suppressed</div></div>'
    metrics = {m["key"]: m["value"] for m in model["metrics"]}
    indicators = "".join(f'<div class="card indicator{" alert" if metrics[key] else ""}"><div class="n">{metrics[key]}'
                         f'</div><div class="k">{label}</div></div>' for key, label in INDICATORS)
    names = {r["id"]: r["name"] for r in model["rules"]}
    charts = (bar_chart([(sev.capitalize(), n, sev) for sev, n in s["by_severity"].items()], "Findings by severity")
              + bar_chart([(f"{rule} {names.get(rule, '')}", n, "rule") for rule, n in s["by_rule"].items()],
                          "Findings by rule", width=440))
    rows = [f"<tr><td class=\"num\">{i}</td><td>{_sev(f['severity'])}</td><td>{e(why(f))}</td>"
            f"<td>{_loc(f)}</td><td>{e(f['message'])}</td></tr>" for i, f in enumerate(top_risks(model), 1)]
    risks = (_table(['<th class="num">#</th>', "Severity", "Why it ranks here", "Where", "Finding"], rows)
             if rows else '<p class="muted">No findings.</p>')
    body = (f'<div class="cards">{cards}</div><div class="cards">{indicators}</div>'
            f'<div class="charts">{charts}</div><h3>Top risks</h3>{risks}')
    return _section("headline", "What needs attention first. Dormant or recycled code that can reach a "
                    "money-moving call ranks first, then everything else by severity.", body)


def _host_squares(entry: dict) -> str:
    return "".join(f'<span class="hs {e(state or "unknown")}" title="{e(host)}: {e(state or "not evaluated")}">'
                   "</span>" for host, state in entry["hosts"].items())


def _flags(model: dict) -> str:
    rows = []
    for f in model["flags"]:
        status = "".join(f'<span class="badge st-{s}">{s}</span>' for s in f["statuses"])
        if f.get("fix"):
            status += f'<br><span class="small">retire: {_code(f["fix"])}</span>'
        reads = "<br>".join(f"{_code(r['via'])} <span class=\"muted small\">{e(r['path'])}:{r['line']}</span>"
                            for r in f["reads"]) or e(kept_text(f)) or '<span class="muted">not read anywhere</span>'
        production = (f"{_host_squares(f)}<br><span class=\"small\">{e(state_text(f))}</span>" if state_text(f)
                      else NONE)
        kind = e(f["kind"]) if f["declared"] else '<span class="muted">not in registry</span>'
        rows.append(f"<tr><td class=\"nowrap\">{_code(f['key'])}</td>"
                    f"<td data-sort=\"{STATUSES.index(f['status'])}\">{status}</td>"
                    f"<td>{kind}</td><td class=\"nowrap\">{e(f['owner']) or '—'}</td>"
                    f"<td class=\"num nowrap\" data-sort=\"{f['age_days'] if f['age_days'] is not None else -1}\">"
                    f"{e(format_age(f['age_days'])) or '—'}</td><td class=\"nowrap\">{e(f['expires'] or '—')}</td>"
                    f"<td class=\"nowrap\">{production}</td><td>{reads}</td></tr>")
    statuses = [s for f in model["flags"] for s in f["statuses"]]
    chart = bar_chart([(s, statuses.count(s), f"st-{s}") for s in STATUSES if s in statuses], "Flags by status")
    legend = ('<p class="legend">Production state per host, from coverage of the code each flag gates:'
              '<span class="hs on"></span>on<span class="hs off"></span>off<span class="hs mixed"></span>'
              'both seen<span class="hs unknown"></span>not evaluated</p>')
    table = _table(["Key", "Status", "Kind", "Owner", '<th class="num">Age</th>', "Expires", "Production",
                    "Read as"], rows, cls="sortable", attrs=' id="flag-table"') if rows else \
        '<p class="muted">No flags found in the code or the registry.</p>'
    body = (f'<div class="charts">{chart}</div>{legend}'
            '<input class="filter" id="flag-filter" type="search" placeholder="Filter flags…" '
            'aria-label="Filter flags">' + table)
    return _section("flags", "Every flag key in the registry or the code: where it is read and under which "
                    "names, who owns it, how old it is and what production did with it.", body)


def _dormant(model: dict) -> str:
    if not model["hosts"]:
        return _section("dormant", "Code that production never ran.",
                        '<p class="muted">No production coverage was given, so dormant code cannot be told.</p>')
    rows = []
    for m in model["dormant"]:
        items = []
        if not m["imported"]:
            items.append(("whole module: no host ever imported it", {}))
        for fn in m["functions"]:
            reach = "reachable, never ran" if fn["reachable"] else "unreachable from every entry point"
            reach = awaiting_text(fn) or reach
            items.append((f"function {_code(short(fn['name'], m['module']))} <span class=\"muted small\">lines "
                          f"{fn['line']}–{fn['end']} · {reach}</span>", fn))
        for r in m["regions"]:
            design = " · off by design" if r["by_design"] else ""
            items.append((f"branch {_code(('if ' if r['side'] == 'on' else 'unless ') + r['flag'])} in "
                          f"{_code(short(r['caller'], m['module']))} <span class=\"muted small\">lines "
                          f"{r['start']}–{r['end']}{design}</span>", r))
        for i, (what, item) in enumerate(items):
            head = (f'<td rowspan="{len(items)}">{_code(m["path"])}</td>'
                    f'<td class="num" rowspan="{len(items)}">{m["lines"]}</td>') if i == 0 else ""
            key, detail = flag_detail(item)
            flag = f'{_code(key)}<br><span class="muted small">{e(detail)}</span>' if key else NONE
            rows.append(f'<tr class="{"group" if i == 0 else ""}">{head}<td>{what}</td><td>{flag}</td></tr>')
    if not rows:
        return _section("dormant", "Code that production never ran.",
                        '<p class="muted">Every function and flag-gated branch ran on at least one host.</p>')
    chart = bar_chart([(m["path"], m["lines"], "module") for m in model["dormant"]], "Dormant lines per module",
                      width=520)
    body = f'<div class="charts">{chart}</div>' + _table(
        ["Module", '<th class="num">Lines</th>', "Never ran in production", "Guarding flag"], rows, cls="grouped")
    return _section("dormant", f"Functions and flag-gated branches that none of the {len(model['hosts'])} hosts "
                    "ever executed, per module, with the flag that keeps them asleep and how long it has existed.",
                    body)


def _calendar(model: dict) -> str:
    cal = model.get("calendar")
    if not cal:
        return _section("calendar", "Calendar events code is tied to ([tool.knightwatch.calendar]).",
                        '<p class="muted">No calendar configured, or no production coverage.</p>')
    rows = [f"<tr><td>{_code(n)}</td><td>{e(d)}</td><td>{e(s)}</td><td>{e(c)}</td></tr>"
            for n, d, s, c in calendar_rows(cal)]
    return _section("calendar", "Code reachable only through code tied to a calendar event that fell in no host's "
                    "coverage window is not yet observed, not dormant: it is listed here with the next day it can "
                    "run. " + e(window_text(cal)),
                    _table(["Event", "Falls on", "In the windows", "Code not yet observed"], rows))


def _gaps(drift: dict) -> str:
    """Functions that ran in production although the call graph cannot reach them."""
    if not drift.get("gaps"):
        return ""
    rows = [f"<tr><td>{_code(g['function'])}</td><td>{_code(g['path'] + ':' + str(g['line']))}</td>"
            f"<td>{e(', '.join(g['hosts']))}</td></tr>" for g in drift["gaps"]]
    return ("<h3>Ran in production, unreachable in the graph</h3><p class=\"small muted\">Holes in the call graph "
            "(a loader, a dispatch or a framework it does not follow): dead-code findings near them are less certain."
            "</p>" + _table(["Function", "Where", "Hosts"], rows))


def _drift(model: dict) -> str:
    drift = model["drift"]
    hosts = drift["hosts"]
    if len(hosts) < 2:
        return _section("drift", "Which code ran on which host.",
                        '<p class="muted">Host drift needs production coverage from at least two hosts.</p>'
                        + _gaps(drift))
    prefix, short = host_labels(hosts)
    head = ["Code", "Where"] + [f'<th class="host" title="{e(h)}">{e(s)}</th>' for h, s in zip(hosts, short)]
    rows = []
    for r in drift["rows"]:
        ran = set(r["hosts"])
        cells = "".join(f'<td class="host ran" title="{e(h)}: ran">●</td>' if h in ran
                        else f'<td class="host" title="{e(h)}: did not run"></td>' for h in hosts)
        what = f"{e(r['kind'])} {_code(r['label'])}" + (" (per-host rollout)" if r["rollout"] else "")
        rows.append(f'<tr class="{"minority" if r["minority"] else ""}"><td>{what}</td>'
                    f"<td>{_code(r['path'] + ':' + str(r['line']))}</td>{cells}</tr>")
    table = _table(head, rows, cls="drift") if rows else \
        '<p class="muted">Every flag-gated branch and function ran on all hosts or on none.</p>'
    problems = "".join(f"<li>{e(h)}: {e(msg)}</li>" for h, msgs in drift["problems"].items() for msg in msgs)
    columns = f"Columns are the hosts {e(prefix)}{e(short[0])} … {e(prefix)}{e(short[-1])}. " if prefix else ""
    lead = (f"Flag-gated branches and functions that ran on some hosts but not on all. {columns}Highlighted rows "
            f"ran on fewer than half of the hosts (a per-host rollout's branch is meant to). Of the other flag-gated branches, {drift['uniform']} ran on "
            f"every host and {drift['never']} on none (see Dormant code).")
    return _section("drift", lead, table + (f'<ul class="notes">{problems}</ul>' if problems else "") + _gaps(drift))


def _lineage(model: dict) -> str:
    lineage = model.get("lineage")
    if not lineage:
        return _section("lineage", "What each flag gated, release by release.",
                        '<p class="muted">Flag lineage needs <code>[tool.knightwatch.releases]</code> in '
                        "pyproject.toml and a git history.</p>")
    hosts = {r["name"]: r["hosts"] for r in lineage["releases"]}
    body = []
    for flag in lineage["flags"]:
        rows = [f"<tr><td class=\"nowrap\">{e(t['release'])}</td><td>{e(', '.join(hosts[t['release']])) or NONE}</td>"
                f"<td>{e(t['change'])}</td><td>{'<br>'.join(_code(g) for g in t['gated']) or NONE}</td>"
                f"<td>{'<br>'.join(_code(s) for s in t['sinks']) or NONE}</td><td>{e(t['owner']) or NONE}</td></tr>"
                for t in flag["timeline"]]
        body.append(f"<h3>{_code(flag['key'])}</h3>"
                    + _table(["Release", "Hosts", "Change", "Gates", "Reaches", "Owner"], rows))
    return _section("lineage", "What each flag gated, release by release (oldest first, the working tree last), "
                    "and which hosts ran each release: a key re-purposed between releases is the Knight flag.",
                    "".join(body))


def _safety(model: dict) -> str:
    if not model["safety"]:
        return _section("safety", "Paths from the entry points to each money-moving call.",
                        '<p class="muted">No sinks configured ([tool.knightwatch.safety] sinks).</p>')
    parts = []
    for s in model["safety"]:
        rows = []
        for site in s["sites"]:
            mark = {True: '<span class="ok">✔ guarded</span>', False: '<span class="bad">✖ unguarded</span>',
                    None: '<span class="muted">unreachable</span>'}[site["guarded"]]
            rows.append(f"<tr class=\"{'unguarded' if site['guarded'] is False else ''}\"><td class=\"nowrap\">{mark}</td>"
                        f"<td>{_code(site['path'] + ':' + str(site['line']))}<br>"
                        f"<span class=\"muted small\">in {e(short(site['caller']))}</span></td>"
                        f"<td class=\"route\">{e(route_text(site['route'])) or '—'}</td><td>{e(site['how'])}</td></tr>")
        breakers = ", ".join(_code(b) for b in s["breakers"]) or "none configured"
        parts.append(f"<h3>Sink {_code(s['sink'])}</h3><p class=\"small muted\">Breakers: {breakers}</p>"
                     + (_table(["Guard", "Call", "Entry → sink", "Why"], rows) if rows
                        else '<p class="muted">Nothing calls this sink.</p>'))
    return _section("safety", "For each money-moving call: a path from an entry point to it, and whether a circuit "
                    "breaker runs before it on every path.", "".join(parts))


def _graphs(model: dict) -> str:
    if not model["graphs"]:
        return _section("graphs", "The flag and call graph around each critical finding.",
                        '<p class="muted">No critical findings.</p>')
    legend = ('<p class="legend">Boxes are functions (dashed: never ran; orange border: ran on a minority of hosts); '
              'amber pills are flags; red is the sink, green the breaker; a thick red arrow is a call to the sink '
              'with no breaker before it; a dashed arrow is a possible call (dispatch by name, an override).</p>')
    figures = []
    for i, g in enumerate(model["graphs"], 1):
        figures.append(f'<figure id="graph-{i}"><figcaption><strong>{e(g["title"])}</strong>'
                       f'<span class="msg">{e(g["message"])}</span></figcaption>'
                       f'{graph_svg(g, f"g{i}", len(model["hosts"]))}</figure>')
    return _section("graphs", "The flag and call graph around each critical finding: how an entry point gets to the "
                    "money-moving call, which flag opens the way, and where the breaker is.", legend + "".join(figures))


def _brief_rows(items: list[dict]) -> list[str]:
    return [f"<tr><td>{_sev(f['severity'])}</td><td>{e(f['rule'])}</td><td>{_code(str(f['path']) + ':' + str(f['line']))}"
            f"</td><td>{e(f['message'])}</td></tr>" for f in items]


def _trend(model: dict) -> str:
    t = model["trend"]
    if t is None:
        return _section("trend", "How the risk is changing between audits.",
                        '<p class="muted">No previous audit given. Keep this run\'s JSON and pass it as '
                        '<code>--previous</code> next time to see what appeared, what was fixed and where each count '
                        'is heading.</p>')
    rows = [f"<tr><td>{e(c['label'])}</td><td class=\"num\">{c['previous']}</td><td class=\"num\">{c['current']}</td>"
            f"<td class=\"num {c['direction']}\">{change_text(c)}</td></tr>"
            for c in t["counts"] if c["previous"] or c["current"]]
    sev = {c["key"]: c for c in t["counts"]}
    chart = trend_chart([(s.capitalize(), sev[f"severity.{s}"]["previous"], sev[f"severity.{s}"]["current"])
                         for s in SEVERITY_ORDER if f"severity.{s}" in sev], "Findings by severity")
    head = ["Severity", "Rule", "Where", "Finding"]
    body = (f'<div class="charts">{chart}</div>'
            + f"<h3>New since then ({len(t['appeared'])})</h3>"
            + (_table(head, _brief_rows(t["appeared"]), cls="brief") if t["appeared"] else '<p class="muted">None.</p>')
            + f"<h3>Fixed since then ({len(t['fixed'])})</h3>"
            + (_table(head, _brief_rows(t["fixed"]), cls="brief") if t["fixed"] else '<p class="muted">None.</p>')
            + "<h3>Counts</h3><p class=\"small muted\">▲ more risk than last time, ▼ less.</p>"
            + _table(["Count", '<th class="num">Previous</th>', '<th class="num">Now</th>',
                      '<th class="num">Change</th>'], rows, cls="compact"))
    return _section("trend", e(trend_sentence(t)), body)


def _findings(model: dict) -> str:
    rows = []
    for f in sorted(model["findings"], key=lambda f: SEVERITY_ORDER.index(f["severity"])):
        trace = ""
        if f["trace"]:
            steps = "".join(f"<li>{_code(s['path'] + ':' + str(s['line']))} {e(s['message'])}</li>" for s in f["trace"])
            trace = f"<details><summary>code path ({plural(len(f['trace']), 'step')})</summary><ol>{steps}</ol></details>"
        note = f' <span class="muted small">(suppressed: {e(f["suppressed"])})</span>' if f["suppressed"] else ""
        rows.append(f"<tr><td data-sort=\"{SEVERITY_ORDER.index(f['severity'])}\">{_sev(f['severity'])}</td>"
                    f"<td class=\"nowrap\">{e(f['rule'])}<br><span class=\"muted small\">{e(f['name'])}</span></td>"
                    f"<td data-sort=\"{e(f['path'])}:{f['line']:08d}\">{_loc(f)}</td>"
                    f"<td>{e(f['message'])}{note}{trace}</td></tr>")
    body = _table(["Severity", "Rule", "Where", "Finding"], rows, cls="sortable") if rows else \
        '<p class="muted">No findings.</p>'
    return _section("findings", "Every finding of this run, most severe first; click a column heading to sort.",
                    body)


def _notes(model: dict) -> str:
    items = "".join(f"<li>{e(n)}</li>" for n in model["notes"])
    body = f'<ul class="notes">{items}</ul>' if items else '<p class="muted">Nothing to note.</p>'
    return _section("notes", "What limited this run: skipped rules, files or coverage that could not be used.", body)


def _controls(model: dict) -> str:
    c = model["controls"]
    rows = [f"<tr><td>{e(d['duty'])}</td><td>{e(d['text'])}</td><td>{_code(d['rule'])}</td><td>"
            + ((plural(len(d["findings"]), "finding") if d["findings"] else "no finding") if d["checked"]
               else '<span class="muted">not checked</span>') + "</td></tr>" for d in c["duties"]]
    return _section("controls", e(c["disclaimer"]), _table(["Duty", "What it asks", "Rule", "This run"], rows))


def _provenance(model: dict) -> str:
    i = model.get("inputs")
    if not i:
        return _section("provenance", "Not recorded: this model was not written by `knightwatch audit`.", "")
    rows = [("knightwatch", e(i["knightwatch"]), ""),
            ("commit", _code(i["commit"]) if i["commit"] else "not a git checkout",
             "with uncommitted changes" if i["uncommitted_changes"] else "")]
    rows += [(name, _code(i[name]["path"]), _code(i[name]["sha256"])) for name in ("configuration", "registry") if i[name]]
    rows += [(f"coverage {e(c['host'])}", _code(c["path"]), _code(c["sha256"])) for c in i["coverage"]]
    rows += [("test coverage", _code(c["path"]), _code(c["sha256_blake2b128"])) for c in i["test_coverage"]]
    digest = model.get("digest")
    lead = ("The exact inputs of this audit. Report digest (" + e(digest["algorithm"]) + " of the audit JSON's "
            "canonical form, without the digest): " + _code(digest["value"])) if digest else "The exact inputs of this audit."
    return _section("provenance", lead, _table(["Input", "Value", "SHA-256"],
                                               [f"<tr><td>{a}</td><td>{b}</td><td>{c}</td></tr>" for a, b, c in rows]))


def render(model: dict) -> str:
    """The whole page."""
    body = "".join(part(model) for part in (_header, _headline, _flags, _dormant, _calendar, _drift, _lineage, _safety,
                                            _graphs, _controls, _trend, _findings, _notes, _provenance))
    footer = (f"<footer>Generated by knightwatch {e(model['tool']['version'])} on {e(model['generated'])}. "
              "This page is self-contained: it needs no network access. The data behind it is in the audit JSON.</footer>")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>knightwatch audit: {e(model['project'])} ({e(model['generated'])})</title>"
            f"<style>{CSS}</style></head><body><main>{body}{footer}</main><script>{JS}</script></body></html>\n")
