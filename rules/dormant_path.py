"""KW101 dormant-path."""

from __future__ import annotations

from knightwatch.derived import gate_label
from knightwatch.finding import Severity, TraceStep
from knightwatch.graphs.index import SINGLE_DISPATCH
from knightwatch.graphs.reach import path_to
from knightwatch.rule import Rule

#: edges by which code that ran may have run a function (and a reference from a function or a module,
#: `{"csv": _csv}`, not a class's to its property or dunder, which Python calls only when code does)
CALLS = frozenset({"call", "may"})


class DormantPath(Rule):
    """Reachable code that production never ran: a flag-gated branch or a function no host executed.

    ## What it does
    Joins the call and flag graphs with production coverage (one coverage.py data file per host).
    It reports a branch gated by a feature flag that no host ever executed although the function
    around it ran (a condition joining flags, `if a and b:`, is one branch, and claims no single
    flag's value), and a function that is statically reachable from an entry point, by calls or by
    dispatch the analysis cannot pin to one target (`getattr`, a table, an override), but whose body
    no host executed (reported once, where the dormant part of the graph starts). The kill side of a
    kill switch and either side of an ops or permission flag are dormant by design and are not
    reported (the side a kill switch runs while off is the normal path, and is), nor is code
    some host has no data for (added or changed since the revision that host ran), nor code that is
    *not yet observed*: reachable only through code tied to a calendar event
    (`[tool.knightwatch.calendar]`: month-end, option expiry, a rebalance date) that fell on no day
    of any host's coverage window. A note names that code and the next day it can run.

    ## Why is this bad?
    Dormant code still ships and can still run. Nobody exercises it, nobody remembers what it
    does, and one flag flip or one stale server wakes it up — as Power Peg woke up on 1 August
    2012.

    ## Example
    ```python
    if flags.is_on(AUCTION_V2):          # off on every host since 2011
        return self.auction.route_v2(parent)
    ```

    ## Use instead
    Remove the branch and its flag, or turn the flag on and exercise the path deliberately.
    """

    id = "KW101"
    name = "dormant-path"
    severity = Severity.MEDIUM
    needs = frozenset({"coverage"})
    legacy = "dormant code"
    tags = ("maintainability", "feature-flags", "coverage")
    precision = "high"

    def check(self, analysis):
        if not analysis.hosts:
            return
        specs = analysis.registry.flags if analysis.registry else {}
        waiting = analysis.observation
        dormant_regions = []
        exempt_regions = []
        dormant = {id(region) for region in analysis.derived.dormant_regions}
        reported = set()
        for read, regions in analysis.derived.gated_regions:
            caller = read.site.caller  # (it ran: a function production ran is reachable, whatever the graph says)
            for region in regions:
                if any(specs.get(k) and specs[k].side_dormant_by_design(region.on) for k in read.keys):
                    if id(region) in dormant:  # what a branch that ran calls is no more exempt than elsewhere
                        exempt_regions.append(region)
                    continue
                if id(region) not in dormant or analysis.region_unknown(region):
                    continue  # it ran, or some host has no data for it (changed since the revision it ran)
                if waiting and waiting.waits(region.path, region.start, region.end):
                    exempt_regions.append(region)
                    continue  # inside code tied to a calendar event no window included: not yet observed
                dormant_regions.append(region)
                span = (region.path, region.start, region.end)
                if span in reported:
                    continue  # `if a and b:` is one branch, reported once
                reported.add(span)
                key = read.key or read.via
                severity = self._severity(analysis, region.path, analysis.sites_reach_sink(region.sites))
                if region.shared:  # no single flag's value kept it dormant: the condition as a whole did
                    why = (f"branch gated by {gate_label(region, analysis.derived.span_keys[span])} never ran "
                           f"on any of {len(analysis.hosts)} hosts: the condition was {str(not region.when).lower()} "
                           f"every time it was tested")
                else:
                    why = (f"branch gated by flag {key!r} ({'on' if region.on else 'off'} side) never ran on any of "
                           f"{len(analysis.hosts)} hosts: the flag was {'off' if region.on else 'on'} everywhere")
                yield self.finding(
                    region.path, region.start, why + analysis.sink_note(region.sites),
                    severity=severity, symbol=f"{caller}:{key}:{region.kind}",
                    trace=[TraceStep(read.path, read.line, read.site.column, f"reads flag {key!r} via {read.via}"),
                           TraceStep(region.path, region.start, 1, "dormant branch starts here")],
                    flag=key, hosts=len(analysis.hosts))
        yield from self._functions(analysis, dormant_regions + exempt_regions)

    @staticmethod
    def _severity(analysis, path: str, reaches_sink: bool) -> Severity:
        if analysis.is_test_code(path):
            return Severity.LOW
        return Severity.HIGH if reaches_sink else Severity.MEDIUM

    @staticmethod
    def _interface_stub(idx, q: str) -> bool:
        """Q declares a method with nothing to run (`...`, a docstring, `raise NotImplementedError`) of
        a Protocol, an ABC or a base whose subclasses override it: a call on the interface runs an
        implementation, never Q."""
        module, scope, entry = idx.defs[q]
        parent = entry.get("parent")
        if not entry.get("stub") or not entry.get("method") or not parent:
            return False
        owner, name = f"{module}.{parent}", q.rpartition(".")[2]
        return "abstractmethod" in idx.decorator_names(q) or idx.interface(owner) \
            or any(f"{sub}.{name}" in idx.defs for sub in idx.subclasses(owner))

    def _functions(self, analysis, covered_regions):
        """Reachable functions no host ran, reported where the dormant subgraph starts."""
        g = analysis.callgraph.graph
        idx = analysis.index
        ran = {}

        def hosts(q):
            if q not in ran:
                ran[q] = analysis.function_hosts(q)
            return ran[q]

        spans: dict[str, list[tuple[int, int]]] = {}
        for r in covered_regions:
            spans.setdefault(r.path, []).append((r.start, r.end))

        def in_region(path, line):
            return any(start <= line <= end for start, end in spans.get(path, ()))

        waiting = analysis.observation.functions if analysis.observation else {}
        reach = analysis.reach_all
        for q in sorted(q for q, kind in g.nodes(data="kind") if kind == "function"):
            if hosts(q) or analysis.function_unknown(q) or q in waiting \
                    or self._interface_stub(idx, q) or SINGLE_DISPATCH.intersection(idx.decorator_names(q)):
                continue  # (a generic function's own body is the fallback: calls run the registered ones)
            callers = [c for c in g.predecessors(q) if g.edges[c, q]["kind"] in CALLS
                       or g.edges[c, q]["kind"] == "ref" and g.nodes[c]["kind"] != "class"
                       and not g.edges[c, q]["implicit"]]  # (a `from` import uses nothing)
            # (code production ran is live, whether the graph reaches it from an entry point or not)
            live_callers = [c for c in callers if g.nodes[c]["kind"] == "module" and c in reach or hosts(c)]
            if not live_callers:
                continue  # reached only from other dormant code: part of that finding
            sites = [s for c in live_callers for s in analysis.callgraph.sites.get(c, ()) if q in s.targets]
            reached = [(g.nodes[c]["path"], n) for c in live_callers for n in g.edges[c, q]["lines"]]
            if reached and all(in_region(*at) for at in reached):  # (a property read is no call site)
                continue  # behind a dormant or by-design flag branch, already accounted for
            path, line = g.nodes[q]["path"], g.nodes[q]["line"]
            static = (q in analysis.reach_static or q not in reach) \
                and any(g.edges[c, q]["kind"] == "call" for c in live_callers)
            chain = path_to(analysis.reach_static if static else reach, q) if q in reach \
                else [f"{live_callers[0]} (which ran in production)"]
            how = "calls" if static else "may call (dispatch the analysis cannot pin to one target)"
            trace = [TraceStep(s.path, s.line, s.column, f"{s.caller} {how} {q}, never on any host") for s in sites[:3]]
            via = "" if static else " through dynamic dispatch"
            yield self.finding(
                path, line,
                f"function {q} is reachable from {chain[0]}{via} but never ran on any of {len(analysis.hosts)} hosts"
                f"{analysis.sink_note(analysis.callgraph.sites.get(q, ()))}",
                severity=self._severity(analysis, path, q in analysis.sink_reachers),
                symbol=q, trace=trace, hosts=len(analysis.hosts))
