"""KW401 deployment-drift."""

from __future__ import annotations

from knightwatch.derived import gate_label, minority, one_line
from knightwatch.finding import Severity, TraceStep
from knightwatch.rule import Rule


class DeploymentDrift(Rule):
    """Hosts ran different revisions of the code, or code ran on only a minority of hosts.

    ## What it does
    Reports each host that ran another revision than most hosts (configured, recorded as a
    `rev:<sha>` coverage context, or inferred from git history), with what differs in the code it
    executed: critical when the difference reaches a sink. Reports a flag-gated branch that ran on
    fewer than half of the hosts that ran the function around it, and a function that ran on fewer
    than half of the hosts, once, where the minority-only code starts. Branches of per-host rollout
    flags (experiment, canary, rollout) and lines some host has no data for are left out. Without
    revisions, a host whose coverage cannot belong to the analysed source (while other hosts' can)
    is reported as running a different version. The tree being ahead of every host is not drift.

    ## Why is this bad?
    On 1 August 2012 one of Knight's eight SMARS servers did not receive the new code. Only that
    server ran Power Peg; production coverage per host would have shown the one-host path.

    ## Example
    ```text
    smars/router.py:48  ran on 1 of 8 hosts (nyc-smars-08)
        return self.power_peg.execute(parent)
    ```

    ## Use instead
    Make every host run the same release and configuration; remove code paths that only a
    straggler host still takes.
    """

    id = "KW401"
    name = "deployment-drift"
    severity = Severity.MEDIUM
    needs = frozenset({"coverage"})
    legacy = "minority-host code"
    tags = ("reliability", "deployment", "coverage")
    precision = "high"

    def check(self, analysis):
        cov = analysis.coverage
        yield from self._revisions(analysis)
        for p in cov.problems:
            if p.kind == "mismatch" and p.path:
                yield self.finding(p.path, 1, f"host {p.host} ran a different version of this file: {p.message}",
                                   severity=Severity.HIGH, symbol=f"mismatch:{p.host}", host=p.host,
                                   data_file=p.data_file)
        total = len(analysis.hosts)
        if total < 3:
            return
        g = analysis.callgraph.graph
        specs = analysis.registry.flags if analysis.registry else {}
        units = []  # (path, line, hosts, label, sites, qname or None, region, out of how many hosts)
        rollouts = set()  # units of per-host rollout flags: meant to differ, they fold what they call
        spans = set()  # `if a and b:` is one branch, reported once
        for read in analysis.flags.reads:
            rollout = any(specs.get(k) and specs[k].per_host for k in read.keys)
            caller = read.site.caller
            around = (analysis.function_hosts(caller) if caller in g and g.nodes[caller]["kind"] == "function"
                      else frozenset(analysis.hosts))
            for reg in read.regions:
                if one_line(read, reg):
                    continue
                h = analysis.region_hosts(reg)
                among = len(around - analysis.region_unknown(reg))  # traffic-dependent code is not drift
                span = (reg.path, reg.start, reg.end)
                if among >= 3 and minority(len(h), among) and span not in spans:
                    spans.add(span)
                    units.append((reg.path, reg.start, h, f"branch gated by {gate_label(reg, analysis.derived.span_keys[span])}",
                                  reg.sites, None, reg, among))
                    if rollout:
                        rollouts.add(id(units[-1]))
        callers = self._callers(analysis)
        for q, data in g.nodes(data=True):
            if data["kind"] == "function":
                h = analysis.function_hosts(q)
                # among the hosts that ran a call of it: a call only some traffic makes (`if qty > 100:
                # reject()`) is not drift; one every host made that ran it on few (a strategy picked by
                # each host's configuration) is
                around = frozenset().union(*(analysis.ran_on(s.path, s.line, s.end_line) for s in callers[q])) \
                    if callers.get(q) else self._readers(analysis, q)
                among = len(around - analysis.function_unknown(q))
                if among >= 3 and minority(len(h), among):
                    units.append((data["path"], data["line"], h, f"function {q}", analysis.callgraph.sites.get(q, []),
                                  q, None, among))
        roots = [u for u in self._roots(analysis, units) if id(u) not in rollouts]
        for path, line, h, label, sites, q, reg, among in sorted(roots, key=lambda u: (u[0], u[1])):
            reaches = analysis.sites_reach_sink(sites) or (q in analysis.sink_reachers if q else False)
            hosts = ", ".join(sorted(h))
            yield self.finding(
                path, line, f"{label} ran on {len(h)} of {among} hosts ({hosts}); the others never ran it"
                f"{analysis.sink_note(sites) if reaches else ''}",
                severity=Severity.HIGH if reaches else Severity.MEDIUM, symbol=q or f"{path}:{label}",
                trace=[TraceStep(path, line, 1, f"ran only on {hosts}")]
                + [TraceStep(s.path, s.line, s.column, f"calls {', '.join(sorted(s.targets))}")
                   for s in [s for s in sites if s.targets][:3]],  # a call of nothing known names no step
                hosts=sorted(h), host_count=len(h), total_hosts=among)

    @staticmethod
    def _readers(analysis, q: str) -> frozenset[str]:
        """Hosts that ran a line reaching Q without a call site (a property read), else all hosts."""
        g = analysis.callgraph.graph
        found = [analysis.ran_on(g.nodes[c]["path"], n, n) for c in g.predecessors(q)
                 if g.edges[c, q]["kind"] == "call" and g.nodes[c]["path"] for n in g.edges[c, q]["lines"]]
        return frozenset().union(*found) if found else frozenset(analysis.hosts)

    @staticmethod
    def _callers(analysis) -> dict[str, list]:
        """Function -> the call sites that call it for certain (their lines tell which hosts made the call)."""
        found: dict[str, list] = {}
        for sites in analysis.callgraph.sites.values():
            for s in sites:
                for t, may in s.targets.items():
                    if not may:
                        found.setdefault(t, []).append(s)
        return found

    def _revisions(self, analysis):
        """One finding per host that ran another revision than most hosts."""
        g = analysis.callgraph.graph
        for diff in analysis.coverage.diffs:
            touched = sorted((data["path"], data["line"], q) for q, data in g.nodes(data=True)
                             if data["kind"] == "function" and data["path"] in diff.changed
                             and any(data["line"] <= n <= data["end"] for n in diff.changed[data["path"]]))
            sinks = set(analysis.safety.sinks) if analysis.safety else set()
            sends = {q for _, _, q in touched if any(t in sinks for s in analysis.callgraph.sites.get(q, ()) for t in s.targets)}
            # the changed function nearest the sink first: one that calls it directly
            sinky = sorted((t for t in touched if t[2] in analysis.sink_reachers), key=lambda t: t[2] not in sends)
            where = sinky or touched
            if where:
                path, line = where[0][0], where[0][1]
            else:
                path = min(diff.changed, default=None) or min(analysis.files, default=None)
                line = min(diff.changed.get(path) or {1})
            rev, ref = diff.revision, diff.reference
            gone, files = sum(diff.gone.values()), sorted(diff.changed)
            if files:
                what = (f"the code it executed differs in {len(files)} file(s) ({', '.join(files[:3])}"
                        f"{', ...' if len(files) > 3 else ''}): {gone} executed line(s) are gone or changed since")
                if sinky:
                    what += f", and changed code reaches a sink ({sinky[0][2]})"
            elif rev.sha and ref.sha:
                what = "no code it executed differs"
            else:
                what = "what differs is not known (no git repository holding both revisions)"
            severity = Severity.CRITICAL if sinky else Severity.HIGH if files or not (rev.sha and ref.sha) \
                else Severity.MEDIUM
            yield self.finding(
                path, line, f"host {diff.host} ran revision {rev.short} ({rev.how}) while {diff.reference_hosts} "
                f"host(s) ran {ref.short} ({ref.how}): {what}",
                severity=severity, symbol=f"revision:{diff.host}", host=diff.host, revision=rev.sha or rev.ref,
                reference=ref.sha or ref.ref,
                trace=[TraceStep(p, ln, 1, f"changed between {rev.short} and {ref.short}: function {q}")
                       for p, ln, q in where[:3]])

    @staticmethod
    def _roots(analysis, units):
        """Drop units explained by another minority unit with the same hosts that calls into them (or
        through functions that ran on those hosts alone, a helper the branch calls, or through the
        decorators of the function it calls) or holds them."""
        g = analysis.callgraph.graph
        wrappers = analysis.safety.wrappers if analysis.safety else None
        by_hosts: dict[frozenset, list] = {}
        for u in units:
            by_hosts.setdefault(u[2], []).append(u)
        roots = []
        for h, group in by_hosts.items():
            called: dict[str, list] = {}
            for u in group:  # what it calls, and what those call where they ran on the same hosts only
                queue = [t for s in u[4] for t in s.targets]
                if wrappers is not None:  # through decorators: the function the call runs under them
                    queue += [q for s in u[4] for t in s.targets for q in wrappers.context(s, t, None) or ()]
                seen = set(queue)
                while queue:
                    t = queue.pop()
                    called.setdefault(t, []).append(u)
                    if t in analysis.index.defs and g.nodes[t].get("kind") == "function" \
                            and analysis.function_hosts(t) == h:
                        for n in g.successors(t):
                            if n not in seen:
                                seen.add(n)
                                queue.append(n)
            for u in group:
                path, line, _, _, _, q, reg, _ = u
                if q is not None and any(o is not u for o in called.get(q, ())):
                    continue
                if reg is not None and any(o[5] is not None and o[0] == path and
                                           g.nodes[o[5]]["line"] <= reg.start <= g.nodes[o[5]]["end"]
                                           for o in group):
                    continue
                roots.append(u)
        return roots
