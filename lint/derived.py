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
        order, with the regions it gates but the one-line ones."""
        a = self.analysis
        g = a.callgraph.graph
        found = []
        for read in a.flags.reads:
            caller = read.site.caller
            if caller not in g or (g.nodes[caller]["kind"] != "module" and not a.function_hosts(caller)):
                continue
            found.append((read, [region for region in read.regions if not one_line(read, region)]))
        return found

    @cached_property
    def dormant_regions(self) -> list["Region"]:
        """Of the gated regions in code that ran, those no host ran."""
        return [region for _, regions in self.gated_regions for region in regions
                if not self.analysis.region_hosts(region)]

    @cached_property
    def unguarded_sinks(self) -> list["UnguardedSink"]:
        """Sink calls an entry point reaches with no breaker before them; and those reached from a
        function production ran that the call graph cannot reach (a plugin loaded by a name the
        analysis cannot follow): a path that exists, seen only in production (`UnguardedSink.ran`)."""
        a = self.analysis
        if not a.safety:
            return []
        called = a.safety.called(a.roots) if a.coverage else {}
        gaps = [q for q in sorted(a.liveness.executed) if a.index.kind(q) == "function" and q not in called]
        found = a.safety.unguarded(a.roots + gaps)
        started = set(gaps) - set(a.roots)
        for u in found:
            if u.path[0][0] in started:
                u.ran, u.may = u.path[0][0], True
        return found
