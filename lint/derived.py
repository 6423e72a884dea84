"""Facts derived from the Analysis that several rules and the audit read: computed once per run
(`analysis.derived`), so a rule's finding and the audit's section about it cannot disagree."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from knightwatch.analysis import Analysis
    from knightwatch.graphs.flags import FlagRead, Region
    from knightwatch.graphs.safety import UnguardedSink


def one_line(read: "FlagRead", region: "Region") -> bool:
    """Whether REGION lies on its read's own line, where line coverage cannot tell the branches apart."""
    return region.start == region.end == read.line


def gate_label(region: "Region", keys: list[str]) -> str:
    """What gates REGION, for a message: `flag 'x'`, or for a test joining reads (`if a and b:`, KEYS
    all of its flags) `a condition on flags 'a' and 'b'`: no one flag's value decides it."""
    if not region.shared:
        return f"flag {region.read.key or region.read.via!r}"
    return f"a condition on flag{'s' if len(keys) > 1 else ''} {' and '.join(map(repr, keys))}"


def minority(ran: int, among: int) -> bool:
    """Whether code that ran on RAN of AMONG hosts ran on a minority of them."""
    return 0 < ran and ran * 2 < among


class Derived:
    """The derived facts of one Analysis."""

    def __init__(self, analysis: "Analysis"):
        self.analysis = analysis

    @cached_property
    def gated_regions(self) -> list[tuple["FlagRead", list["Region"]]]:
        """Each flag read in code that ran (a function some host ran, or a module's top level), in
        order, with the regions it gates or implies (`FlagRead.implied`) but the one-line ones."""
        a = self.analysis
        g = a.callgraph.graph
        found = []
        for read in a.flags.reads:
            caller = read.site.caller
            if caller not in g or (g.nodes[caller]["kind"] != "module" and not a.function_hosts(caller)):
                continue
            found.append((read, [region for region in read.regions + read.implied if not one_line(read, region)]))
        return found

    @cached_property
    def span_keys(self) -> dict[tuple[str, int, int], list[str]]:
        """(path, start, end) of each gated span -> the flags of the reads gating it, in order: two
        for `if a and b:`, which is one branch."""
        found: dict[tuple[str, int, int], list[str]] = {}
        for read in self.analysis.flags.reads:
            for region in read.regions + read.implied:
                keys = found.setdefault((region.path, region.start, region.end), [])
                if (read.key or read.via) not in keys:
                    keys.append(read.key or read.via)
        return found

    @cached_property
    def dormant_regions(self) -> list["Region"]:
        """Of the gated regions in code that ran, those no host ran."""
        return [region for _, regions in self.gated_regions for region in regions
                if not self.analysis.region_hosts(region)]

    @cached_property
    def unguarded_sinks(self) -> list["UnguardedSink"]:
        """Sink calls an entry point reaches with no breaker before them; and those reached from where
        code outside the project starts the project's: a function registered by a decorator from
        outside it (`@router.post("/orders")`: the framework calls it), and, with coverage, a function
        production ran that no chain of calls from an entry point reaches (a plugin loaded by a name
        the analysis cannot follow). Those paths are reported as may-paths, naming where they start
        (`UnguardedSink.start`)."""
        a = self.analysis
        if not a.safety:
            return []
        called = a.safety.called(a.roots)
        g = a.callgraph.graph
        starts = {t: f"{t} is registered by a decorator from outside the project, which calls it"
                  for s, t, d in g.edges(data=True)
                  if d.get("implicit") and d["kind"] == "may" and s in a.reach_all and t not in called
                  and t not in a.index.registered()}  # (what a generic function of the project runs)
        if a.coverage:
            for q in sorted(a.liveness.executed):
                if a.index.kind(q) == "function" and q not in called:
                    starts[q] = f"{q} ran in production, though no call path from an entry point reaches it"
        found = a.safety.unguarded(a.roots)  # a path from an entry point first, where there is one
        if starts:
            seen = {(u.site.module, u.site.index, u.sink) for u in found}
            for u in a.safety.unguarded(sorted(starts)):
                if (u.site.module, u.site.index, u.sink) not in seen:
                    u.start, u.may = starts[u.path[0][0]], True
                    found.append(u)
            found.sort(key=lambda u: (u.site.path, u.site.line, u.site.column))
        return found
