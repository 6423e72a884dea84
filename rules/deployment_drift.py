"""KW401 deployment-drift."""

from __future__ import annotations

from knightwatch.finding import Severity, TraceStep
from knightwatch.rule import Rule


class DeploymentDrift(Rule):
    """Code ran on only a minority of hosts, or a host ran code that differs from the source.

    ## What it does
    Compares the production coverage of every host. It reports a flag-gated branch or a function
    that ran on fewer than half of the hosts (the hosts are named), once, where the minority-only
    code starts: functions reached only from that branch are folded into it. It also reports each
    host whose coverage cannot belong to the analysed source (lines executed that are blank or
    comments): that host runs a different version.

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
    tags = ("reliability", "deployment", "coverage")
    precision = "high"

    def check(self, analysis):
        cov = analysis.coverage
        for p in cov.problems:
            if p.kind == "mismatch" and p.path:
                yield self.finding(p.path, 1, f"host {p.host} ran a different version of this file: {p.message}",
                                   severity=Severity.HIGH, symbol=f"mismatch:{p.host}", host=p.host,
                                   data_file=p.data_file)
        total = len(analysis.hosts)
        if total < 3:
            return
        g = analysis.callgraph.graph
        units = []  # (path, line, hosts, label, sites, qname or None, region)
        for read in analysis.flags.reads:
            for reg in read.regions:
                if reg.start == reg.end == read.line:
                    continue
                h = analysis.region_hosts(reg)
                if h and len(h) * 2 < total:
                    units.append((reg.path, reg.start, h, f"branch gated by flag {read.key or read.via!r}", reg.sites,
                                  None, reg))
        for q, data in g.nodes(data=True):
            if data["kind"] == "function":
                h = analysis.function_hosts(q)
                if h and len(h) * 2 < total:
                    units.append((data["path"], data["line"], h, f"function {q}", analysis.callgraph.sites.get(q, []),
                                  q, None))
        roots = self._roots(analysis, units)
        for path, line, h, label, sites, q, reg in sorted(roots, key=lambda u: (u[0], u[1])):
            reaches = analysis.sites_reach_sink(sites) or (q in analysis.sink_reachers if q else False)
            hosts = ", ".join(sorted(h))
            yield self.finding(
                path, line, f"{label} ran on {len(h)} of {total} hosts ({hosts}); the others never ran it",
                severity=Severity.HIGH if reaches else Severity.MEDIUM, symbol=q or f"{path}:{label}",
                trace=[TraceStep(path, line, 1, f"ran only on {hosts}")]
                + [TraceStep(s.path, s.line, s.column, f"calls {', '.join(sorted(s.targets))}")
                   for s in [s for s in sites if s.targets][:3]],  # a call of nothing known names no step
                hosts=sorted(h), host_count=len(h), total_hosts=total)

    @staticmethod
    def _roots(analysis, units):
        """Drop units explained by another minority unit with the same hosts that calls into them or holds them."""
        g = analysis.callgraph.graph
        by_hosts: dict[frozenset, list] = {}
        for u in units:
            by_hosts.setdefault(u[2], []).append(u)
        roots = []
        for h, group in by_hosts.items():
            called = {}
            for u in group:
                for s in u[4]:
                    for t in s.targets:
                        called.setdefault(t, []).append(u)
            for u in group:
                path, line, _, _, _, q, reg = u
                if q is not None and any(o is not u for o in called.get(q, ())):
                    continue
                if reg is not None and any(o[5] is not None and o[0] == path and
                                           g.nodes[o[5]]["line"] <= reg.start <= g.nodes[o[5]]["end"]
                                           for o in group):
                    continue
                roots.append(u)
        return roots
