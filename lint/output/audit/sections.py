"""Audit sections read from the Analysis: dormant code per module, calendar events and the code still
waiting for one, host drift (with the code that ran but the call graph cannot reach), sink safety
paths, flag lineage across releases."""

from __future__ import annotations

from knightwatch.clock import today
from knightwatch.derived import minority


def _flag_info(analysis, key: str | None) -> dict:
    spec = analysis.registry.flags.get(key) if analysis.registry and key else None
    return {"flag": key, "flag_kind": spec.kind if spec else None,
            "flag_created": spec.created.isoformat() if spec and spec.created else None,
            "flag_age_days": (today() - spec.created).days if spec and spec.created else None}


def _code_lines(lines: list[str], spans) -> int:
    """Non-blank, non-comment lines inside the union of SPANS (1-based, inclusive)."""
    covered = {n for start, end in spans for n in range(start, end + 1)}
    return sum(1 for n in covered if 1 <= n <= len(lines) and lines[n - 1].strip()
               and not lines[n - 1].lstrip().startswith("#"))


def dormant_code(analysis) -> list[dict]:
    """Per module: functions and flag-gated branches no host ever ran, with the guarding flag's age."""
    if not analysis.hosts:
        return []
    g = analysis.callgraph.graph
    regions = analysis.derived.dormant_regions  # inside code that did run (else the whole function is dormant)
    guards: dict[str, str] = {}  # function -> key of a dormant region that calls it
    for reg in regions:
        for site in reg.sites:
            for t in site.targets:
                guards.setdefault(t, reg.read.key or reg.read.via)
    modules: dict[str, dict] = {}
    for info in analysis.files.values():
        if info.summary is None:
            continue
        imported = bool(analysis.coverage.executed(info.path))
        modules[info.path] = {"path": info.path, "module": info.source.module, "imported": imported,
                              "functions": [], "regions": [], "lines": 0}
    spans: dict[str, list[tuple[int, int]]] = {}
    listed: dict[str, list[tuple[int, int]]] = {}  # dormant and awaiting functions, to skip nested ones
    for q, data in sorted(g.nodes(data=True), key=lambda n: (n[1]["path"] or "", n[1]["line"])):
        if data["kind"] != "function" or data["path"] not in modules or analysis.function_hosts(q):
            continue
        if any(s <= data["line"] and data["end"] <= e for s, e in listed.get(data["path"], ())):
            continue  # nested in a dormant function listed already
        listed.setdefault(data["path"], []).append((data["line"], data["end"]))
        awaiting = _awaiting(analysis, q)
        if not awaiting:  # not yet observed is not dormant: its lines are not counted
            spans.setdefault(data["path"], []).append((data["line"], data["end"]))
        modules[data["path"]]["functions"].append(
            {"name": q, "line": data["line"], "end": data["end"], "reachable": q in analysis.reach_all,
             "awaiting": awaiting, **_flag_info(analysis, guards.get(q))})
    for reg in sorted(regions, key=lambda r: (r.path, r.start)):
        spans.setdefault(reg.path, []).append((reg.start, reg.end))
        modules[reg.path]["regions"].append(
            {"start": reg.start, "end": reg.end, "side": "on" if reg.on else "off", "kind": reg.kind,
             "caller": reg.read.site.caller, "via": reg.read.via,
             "by_design": bool(analysis.registry and reg.read.key in analysis.registry.flags
                               and analysis.registry.flags[reg.read.key].by_design_dormant),
             **_flag_info(analysis, reg.read.key or reg.read.via)})
    out = []
    for path, m in modules.items():
        lines = analysis.files[path].lines
        m["lines"] = _code_lines(lines, [(1, len(lines))] if not m["imported"] else spans.get(path, ()))
        if m["functions"] or m["regions"] or not m["imported"]:
            out.append(m)
    return out


def _awaiting(analysis, qname: str) -> dict | None:
    """The calendar events a never-run function waits on, and the first day one of them falls on."""
    obs = analysis.observation
    events = obs.functions.get(qname) if obs else None
    if not events:
        return None
    days = [w.next_day for w in obs.waiting if w.event.name in events and w.next_day]
    return {"events": list(events), "next": min(days).isoformat() if days else None}


def calendar(analysis) -> dict | None:
    """Each host's coverage window, each event's days in them, and the code still waiting for one
    (None when no calendar is configured or there is no coverage)."""
    obs = analysis.observation
    cal = analysis.config.calendar
    if obs is None or cal is None:
        return None
    waiting = {w.event.name: w for w in obs.waiting}
    events = []
    for event in cal.events:
        w = waiting.get(event.name)
        events.append({"name": event.name, "described": event.described,
                       "occurred": [d.isoformat() for d in obs.occurred.get(event.name, ())],
                       "waiting": w is not None, "next": w.next_day.isoformat() if w and w.next_day else None,
                       "code": list(w.tops) if w else [], "functions": len(w.functions) if w else 0})
    return {"windows": [{"host": h, "start": w.start.isoformat(), "end": w.end.isoformat(), "how": w.how}
                        for h, w in sorted(obs.windows.items())],
            "unwindowed": list(obs.unwindowed), "events": events}


def host_drift(analysis) -> dict:
    """Host x code table: flag-gated branches and functions that ran on some hosts but not all."""
    hosts = list(analysis.hosts)
    rows = []
    uniform = never = 0
    specs = analysis.registry.flags if analysis.registry else {}
    for read in analysis.flags.reads if hosts else ():
        rollout = any(specs.get(k) and specs[k].per_host for k in read.keys)
        for reg in read.regions:
            ran = analysis.region_hosts(reg)
            if not ran and analysis.region_unknown(reg):
                continue  # whether it ran cannot be told
            if len(ran) == len(hosts):
                uniform += 1
            elif not ran:
                never += 1
            else:
                key = read.key or read.via
                rows.append({"kind": "branch", "path": reg.path, "line": reg.start, "end": reg.end,
                             "label": f"{'if' if reg.on else 'unless'} {key} ({read.via}) in "
                                      f"{read.site.caller.rpartition('.')[2]}",
                             "flag": key, "hosts": sorted(ran), "rollout": rollout})
    g = analysis.callgraph.graph
    for q, data in g.nodes(data=True) if hosts else ():
        if data["kind"] == "function":
            ran = analysis.function_hosts(q)
            if ran and len(ran) < len(hosts):
                rows.append({"kind": "function", "path": data["path"], "line": data["line"], "end": data["end"],
                             "label": q, "flag": None, "hosts": sorted(ran), "rollout": False})
    rows.sort(key=lambda r: (len(r["hosts"]), r["path"], r["line"], r["kind"]))
    for r in rows:  # a per-host rollout's branch is meant to differ (KW401 leaves it out too)
        r["minority"] = not r["rollout"] and minority(len(r["hosts"]), len(hosts))
    problems = {}
    for p in analysis.coverage.problems if analysis.coverage else ():
        if p.host:
            problems.setdefault(p.host, []).append(p.message)
        elif p.kind in ("revision", "unknown"):  # which revision hosts ran, and lines with no data
            problems.setdefault("revisions", []).append(p.message)
    return {"hosts": hosts, "rows": rows, "uniform": uniform, "never": never, "problems": problems,
            "gaps": graph_gaps(analysis)}


def graph_gaps(analysis) -> list[dict]:
    """Functions production ran that the call graph cannot reach from an entry point: holes in the
    graph (a loader, a dispatch or a framework it does not model). KW102 trusts less what is near them."""
    live = analysis.liveness
    g = analysis.callgraph.graph
    return [{"function": q, "path": g.nodes[q]["path"], "line": g.nodes[q]["line"], "hosts": sorted(live.executed[q])}
            for q in live.gaps]


def _how_guarded(analysis, site) -> str:
    safety = analysis.safety
    if site.caller in safety.guarded_functions:
        return f"{site.caller} is decorated with a breaker"
    if safety.protected(site):
        before = [b for b in analysis.callgraph.sites.get(site.caller, ())
                  if safety.is_breaker_site(b) and (b.line, b.column) <= (site.line, site.column)]
        if before:
            b = before[-1]
            names = ", ".join(sorted(t for t in b.targets if t in safety.breakers))
            if not names:
                helpers = ", ".join(sorted(b.targets))
                return f"{helpers} runs first and always calls a breaker ({b.path}:{b.line})"
            return f"{names} runs first ({b.path}:{b.line})"
    return "every path into the function passes a breaker first"


def safety_paths(analysis) -> list[dict]:
    """For each sink: each call of it, an entry-to-sink path, and whether a breaker guards it."""
    safety = analysis.safety
    if safety is None:
        return []
    unguarded = {(u.site.path, u.site.line, u.site.column): u for u in analysis.derived.unguarded_sinks}
    called = safety.called(analysis.roots)  # "guarded" only where a call path reaches the sink call
    by_sink: dict[str, list[dict]] = {s: [] for s in sorted(safety.sinks)}  # in name order
    for site, sink in sorted(safety.sink_sites(), key=lambda p: (p[0].path, p[0].line, p[0].column)):
        u = unguarded.get((site.path, site.line, site.column))
        entry = {"path": site.path, "line": site.line, "caller": site.caller}
        if u is not None:
            entry.update(guarded=False, route=[fn for fn, _ in u.path], may=u.may,
                         how=f"no breaker ({', '.join(safety.configured_breakers) or 'none configured'}) runs first")
        elif site.caller not in called and not (analysis.function_hosts(site.caller) and (
                site.caller in safety.guarded_functions or safety.protected(site))):
            how = "unreachable from every entry point" if site.caller not in analysis.reach_all \
                else "no chain of calls from an entry point reaches it"
            entry.update(guarded=None, route=[], may=False, how=how)
        elif site.caller not in called:  # production ran it (a handler found at run time), checked
            entry.update(guarded=True, route=[site.caller], may=False,
                         how=f"{_how_guarded(analysis, site)}; it ran in production, though no chain of calls "
                             f"from an entry point reaches it")
        else:
            entry.update(guarded=True, route=safety.call_route(called, site.caller), may=False,
                         how=_how_guarded(analysis, site))
        by_sink.setdefault(sink, []).append(entry)
    # an override of a sink (`Dark.submit` of a configured `Venue.submit`) is listed where it is called
    return [{"sink": sink, "breakers": safety.configured_breakers, "sites": sites} for sink, sites in by_sink.items()
            if sites or sink in safety.configured]


def _step(previous, meaning, known) -> str:
    """How a flag's meaning moved from the previous release's (KNOWN: the last it had)."""
    if meaning is None:
        return "retired" if previous is not None else "absent"
    if previous is None and known is not None:
        how = known.change(meaning)
        return f"reused ({how})" if how else "reused"
    if previous is None:
        return "added"
    how = previous.change(meaning)
    if how:
        return f"re-purposed ({how})"
    if [g.qname for g in previous.gated] != [g.qname for g in meaning.gated]:
        return "renamed or moved"
    if [g.body for g in previous.gated] != [g.body for g in meaning.gated] or previous.sinks != meaning.sinks:
        return "edited"
    return "unchanged"


def flag_lineage(analysis) -> dict | None:
    """Per flag, release by release: what it gated, the sinks that reached, its owner, how that changed;
    and the hosts that ran each release. None without `[tool.knightwatch.releases]`."""
    lineage = analysis.lineage
    if lineage is None:
        return None
    releases = [{"name": r.name, "sha": r.sha, "hosts": lineage.hosts_on([r.name])} for r in lineage.releases]
    flags = []
    for key in lineage.keys():
        timeline, previous, known = [], None, None
        for release, meaning in lineage.timeline(key):
            timeline.append({"release": release.name, "change": _step(previous, meaning, known),
                             "gated": [g.qname for g in meaning.gated] if meaning else [],
                             "sinks": list(meaning.sinks) if meaning else [],
                             "owner": meaning.owner if meaning else "",
                             "reads": [f"{p}:{n}" for p, n, *_ in meaning.reads] if meaning else []})
            previous, known = meaning, meaning or known
        flags.append({"key": key, "timeline": timeline})
    return {"releases": releases, "flags": flags}
