"""KW201 recycled-flag."""

from __future__ import annotations

from knightwatch.finding import Severity, TraceStep
from knightwatch.rule import Rule


class RecycledFlag(Rule):
    """One flag key gates unrelated behaviours, and one of them is legacy, dormant or minority-host.

    ## What it does
    Groups every flag read by its resolved key — through module constants, imported constants,
    class attributes and enums, so two different constant names holding the same string are the
    same flag — and compares what the branches they gate call. When two reads of one key gate
    disjoint behaviour and one of them ran on no host or on a minority of hosts (or, without
    coverage, when the same key hides behind different names), the odd read is reported, with the
    other reads in its path.

    ## Why is this bad?
    This is the Knight Capital flag: the key that once switched on Power Peg was re-purposed for
    the new Retail Liquidity Program. Seven servers ran RLP; on the eighth, which kept the old
    code, the same flag switched on Power Peg.

    ## Example
    ```python
    RLP_ENABLED = "smars.peg_orders"          # smars/flags.py
    PEG_ORDERS = "smars.peg_orders"           # smars/legacy/constants.py
    if flags.is_on(PEG_ORDERS):               # legacy dispatch, same key
        return power_peg.execute(parent)
    ```

    ## Use instead
    Give the new behaviour a new flag key, and delete the legacy branch (and its code) before the
    old key is retired.
    """

    id = "KW201"
    name = "recycled-flag"
    legacy = "recycled flag"
    flag_status = "recycled"
    severity = Severity.HIGH
    tags = ("safety", "feature-flags")
    precision = "high"

    def check(self, analysis):
        specs = analysis.registry.flags if analysis.registry else {}
        total = len(analysis.hosts)
        for key, reads in sorted(analysis.flags.by_key().items()):
            if len(reads) < 2 or (specs.get(key) and specs[key].by_design_dormant):
                continue
            behaviour = {id(r): self._behaviour(r) for r in reads}
            hosts = {id(r): self._hosts(analysis, r) for r in reads}
            for r in reads:
                others = [o for o in reads if o is not r
                          and behaviour[id(o)] and not behaviour[id(o)] & behaviour[id(r)]]
                if not behaviour[id(r)] or not others:
                    continue
                if total:
                    mine = len(hosts[id(r)])
                    widest = max(len(hosts[id(o)]) for o in others)
                    if not (mine * 2 < total and widest > mine):
                        continue
                    status = "never ran" if mine == 0 else f"ran on {mine} of {total} hosts ({', '.join(sorted(hosts[id(r)]))})"
                elif all(o.via == r.via for o in others):
                    continue
                else:
                    status = "no production coverage to tell which use is live"
                on_regions = [reg for reg in r.regions if reg.on]
                reaches = analysis.sites_reach_sink([s for reg in on_regions for s in reg.sites])
                names = sorted({o.via for o in others} - {r.via})
                trace = [TraceStep(o.path, o.line, o.site.column, f"reads {key!r} via {o.via} in {o.site.caller}")
                         for o in others]
                trace.append(TraceStep(r.path, r.line, r.site.column, f"reads {key!r} via {r.via}: {status}"))
                trace += [TraceStep(r.path, s.line, s.column, f"gates a call to {', '.join(sorted(s.targets))}")
                          for reg in on_regions for s in reg.sites[:1]]
                yield self.finding(
                    r.path, r.line,
                    f"flag {key!r} (read here as {r.via}) also gates unrelated code "
                    f"{'as ' + ', '.join(names) + ' ' if names else ''}in {', '.join(sorted({o.site.caller for o in others}))}; "
                    f"this use {status}",
                    column=r.site.column, severity=Severity.CRITICAL if reaches else Severity.HIGH,
                    symbol=f"flag:{key}:{r.site.caller}", trace=trace, flag=key, via=r.via,
                    other_reads=[f"{o.path}:{o.line}" for o in others])

    @staticmethod
    def _behaviour(read) -> frozenset[str]:
        return frozenset(t for reg in read.regions if reg.on for s in reg.sites for t in s.targets
                         if not t.startswith("<builtin>"))

    @staticmethod
    def _hosts(analysis, read) -> frozenset[str]:
        out = set()
        for reg in read.regions:
            if reg.on:
                out |= analysis.region_hosts(reg)
        return frozenset(out)
