"""KW201 recycled-flag."""

from __future__ import annotations

from knightwatch.finding import Severity, TraceStep
from knightwatch.rule import Rule


class RecycledFlag(Rule):
    """One flag key gates unrelated behaviours, and one of them is legacy, dormant or minority-host.

    ## What it does
    Groups every flag read by its resolved key — through module constants, imported constants,
    class attributes and enums, so two different constant names holding the same string are the
    same flag — and compares what the branches they gate call (a branch that calls nothing, only
    sets state, is a behaviour of its own). When one read of a key gates calls another read's branch
    does not make (helpers both call do not make them one behaviour), and it ran on no host or on a
    minority of hosts (or, without coverage, when the same key hides behind different names), the
    odd read is reported, with the other reads in its path. Keys read from configuration (`self.config["dry_run"]`) are judged on
    production coverage only: one setting steering many behaviours is what configuration is for.

    Across releases (with `[tool.knightwatch.releases]`), the same comparison is made over git
    history: a key whose on-branch in an earlier release called other functions (none of them the
    same code edited in place, renamed or moved) or reached other sinks than it does now is
    reported at its read in the working tree, naming both meanings, the releases and the hosts
    that ran each; the old path is the finding's trace. A key that left the code and the registry
    in one release and came back later with another meaning is reported as reused after
    retirement (property `change`).

    ## Why is this bad?
    This is the Knight Capital flag: the key that once switched on Power Peg was re-purposed for
    the new Retail Liquidity Program. Seven servers ran RLP; on the eighth, which kept the old
    code, the same flag switched on Power Peg. At HEAD the Power Peg reader is usually gone: only
    the history shows the key's old meaning, and only coverage shows the host still running it.

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
        yield from self._same_tree(analysis)
        if analysis.lineage is not None:
            yield from self._across_releases(analysis, analysis.lineage)

    def _same_tree(self, analysis):
        specs = analysis.registry.flags if analysis.registry else {}
        total = len(analysis.hosts)
        for key, reads in sorted(analysis.flags.by_key().items()):
            if len(reads) < 2 or (specs.get(key) and specs[key].by_design_dormant):
                continue
            behaviour = {id(r): self._behaviour(r) for r in reads}
            hosts = {id(r): self._hosts(analysis, r) for r in reads}
            for r in reads:
                # another use: gating code with no call at all (`order.venue = RLP`), or calls that
                # leave out some of this use's (a shared helper, `midpoint()`, does not make them one)
                others = [o for o in reads if o is not r and not behaviour[id(r)] <= behaviour[id(o)]
                          and (behaviour[id(o)] or any(reg.on for reg in o.regions))]
                if not behaviour[id(r)] or not others:
                    continue
                if total:
                    mine = len(hosts[id(r)])
                    widest = max(len(hosts[id(o)]) for o in others)
                    if not (mine * 2 < total and widest > mine):
                        continue
                    status = "never ran" if mine == 0 else f"ran on {mine} of {total} hosts ({', '.join(sorted(hosts[id(r)]))})"
                elif r.from_config or all(o.via == r.via for o in others if not o.from_config):
                    continue  # a config key gating many behaviours is its design, whatever the spelling
                else:
                    status = "cannot be told live or dead: there is no production coverage"
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

    def _across_releases(self, analysis, lineage):
        specs = analysis.registry.flags if analysis.registry else {}
        *history, current = lineage.releases
        for key, now in sorted(current.meanings.items()):
            if not now.reads or not now.gated or (specs.get(key) and specs[key].by_design_dormant):
                continue
            timeline = [(r, r.meanings.get(key)) for r in history]
            changes = [(r, m, m.change(now)) for r, m in timeline if m is not None]
            old = [(r, m, how) for r, m, how in changes if how]
            if not old:
                continue
            last, meaning, how = old[-1]
            after = timeline[[r for r, _ in timeline].index(last) + 1:]
            gone = next((i for i, (_, m) in enumerate(after) if m is None), None)
            gap = after[gone][0].name if gone is not None else None
            back = next((r.name for r, m in after[gone or 0:] if m is not None), current.name)
            new_names = [r.name for r, m in after if m is not None and m.gated and not m.change(now)] + [current.name]
            old_names = [r.name for r, _, _ in old]
            old_hosts = lineage.hosts_on(old_names)
            new_hosts = lineage.hosts_on(new_names)
            reaches = any(m.sinks for _, m, _ in old)
            path, line, column, via, caller = now.reads[0]
            hosts_old = f"run by {', '.join(old_hosts)}" if old_hosts else "on no host with coverage"
            hosts_new = f"run by {', '.join(new_hosts)}" if new_hosts else "on no host with coverage"
            if gap:
                head = f"flag {key!r} was retired in {gap} and reused in {back} with another meaning ({how})"
            else:
                head = f"flag {key!r} was re-purposed ({how})"
            message = (f"{head}: in {', '.join(old_names)} it {meaning.describe()}, {hosts_old}; "
                       f"in {', '.join(new_names)} it {now.describe('gates')}, {hosts_new}")
            trace = [TraceStep(p, n, c, f"in {last.name}: {text}") for p, n, c, text in meaning.flow]
            trace.append(TraceStep(path, line, column, f"now reads {key!r} via {via} in {caller}"))
            yield self.finding(
                path, line, message, column=column,
                severity=Severity.CRITICAL if old_hosts or reaches else Severity.HIGH,
                symbol=f"lineage:{key}", trace=trace, flag=key, via=via,
                change="reused-after-retirement" if gap else "re-purposed",
                old_releases=old_names, new_releases=new_names, old_hosts=old_hosts, new_hosts=new_hosts,
                old_meaning=[g.qname for g in meaning.gated], new_meaning=[g.qname for g in now.gated])

    @staticmethod
    def _behaviour(read) -> frozenset[str]:
        return frozenset(t for reg in read.regions if reg.on for s in reg.sites for t in s.targets
                         if not t.startswith("<builtin>"))

    @staticmethod
    def _hosts(analysis, read) -> frozenset[str]:
        out = set()
        for reg in read.regions:
            if reg.on:  # a host where that cannot be told may have run it
                out |= analysis.region_hosts(reg) | analysis.region_unknown(reg)
        return frozenset(out)
