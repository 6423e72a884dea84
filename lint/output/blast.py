"""The blast radius of a flag value: what each host would run, never ran, or stop running when a
flag takes a value. Shared by `knightwatch flip` and KW501 (`check --candidate-flags`).

Production coverage does not record flag values, so each host's evidence is read per branch:
a branch gated by KEY for value V *ran* on a host (the host enters it with KEY=V: the value sends
that host down this path), is *closed* there (KEY was observed at V on that host, through another
branch, and this one still never ran: the gate's other conditions keep it shut), is *untested*
(the host never ran KEY at V at all: the value wakes code the host has never executed), or is
*unreached* (the host never ran the flag read itself).
"""

from __future__ import annotations

import fnmatch
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from knightwatch.derived import one_line
from knightwatch.finding import Severity, TraceStep

if TYPE_CHECKING:
    from knightwatch.analysis import Analysis
    from knightwatch.graphs.callgraph import CallSite
    from knightwatch.graphs.flags import Region

#: per-host statuses, in order of risk; the first two are the ones a flip wakes
STATUSES = ("ran", "untested", "closed", "unreached")
RISKS = frozenset({"ran", "untested"})
#: what a woken branch can reach, in order of risk
REACH = ("unguarded sink", "sink", "no sink")


@dataclass
class SinkPath:
    """A sink call reachable from a branch, the path from the flag read to it, and whether a breaker
    runs before it on that path."""

    sink: str
    site: CallSite
    guarded: bool
    trace: list[TraceStep]


@dataclass
class Branch:
    """One flag-gated branch that a value switches on (or off), with what it reaches."""

    region: Region
    sinks: list[SinkPath]
    woken: list[str]  # functions reachable only through this value's branches of the key
    hosts: dict[str, str] = field(default_factory=dict)  # host -> status

    @property
    def reach(self) -> str:
        if any(not s.guarded for s in self.sinks):
            return REACH[0]
        return REACH[1] if self.sinks else REACH[2]

    @property
    def severity(self) -> Severity:
        return {REACH[0]: Severity.CRITICAL, REACH[1]: Severity.HIGH, REACH[2]: Severity.MEDIUM}[self.reach]

    @property
    def top_sink(self) -> SinkPath | None:
        return min(self.sinks, key=lambda s: (s.guarded, len(s.trace), s.site.path, s.site.line), default=None)

    def rank(self, host: str) -> tuple:
        status = self.hosts.get(host, "unreached")
        return (status not in RISKS, REACH.index(self.reach), STATUSES.index(status),
                self.region.path, self.region.start)

    def trace(self) -> list[TraceStep]:
        """Flag read -> branch -> (the riskiest sink call and the calls that lead to it)."""
        read = self.region.read
        steps = [TraceStep(read.path, read.line, read.site.column, f"reads flag {read.key or read.via!r} via {read.via}"),
                 TraceStep(self.region.path, self.region.start, 1,
                           f"branch taken when the flag is {'on' if self.region.on else 'off'}")]
        top = self.top_sink
        return steps + (top.trace if top else [])


@dataclass
class Blast:
    """What KEY=VALUE wakes (and stops) on each host."""

    key: str
    value: bool
    kind: str  # the registry kind, or "" when the registry does not declare the key
    hosts: list[str]
    wakes: list[Branch]
    stops: list[Branch]
    observed: dict[str, str]  # host -> "on", "off", "both" or "unknown": the flag's values seen in production

    def groups(self) -> list[tuple[list[str], list[Branch]]]:
        """Hosts with identical evidence, grouped; groups by their riskiest branch first."""
        by_sig: dict[tuple, list[str]] = {}
        for host in self.hosts:
            sig = (tuple(b.hosts.get(host, "unreached") for b in self.wakes), self.observed.get(host))
            by_sig.setdefault(sig, []).append(host)
        groups = [(hosts, sorted(self.wakes, key=lambda b, h=hosts[0]: b.rank(h))) for hosts in by_sig.values()]
        return sorted(groups, key=lambda g: (g[1][0].rank(g[0][0]) if g[1] else (True,), g[0]))


def parse_assignment(text: str) -> tuple[str, bool]:
    """`KEY=on|off` (also true/false, 1/0, yes/no) -> (key, value)."""
    key, sep, raw = text.rpartition("=")
    value = as_bool(raw)
    if not sep or not key.strip() or value is None:
        raise ValueError(f"expected KEY=on or KEY=off, not {text!r}")
    return key.strip(), value


def as_bool(raw) -> bool | None:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str):
        return {"on": True, "true": True, "1": True, "yes": True,
                "off": False, "false": False, "0": False, "no": False}.get(raw.strip().lower())
    return None


def _successors(analysis: Analysis, fn: str, skip: frozenset[int]) -> set[str]:
    """What running FN runs: the targets of its call sites (but those in SKIP, by id), what it
    references, and its module's top level."""
    g = analysis.callgraph.graph
    out = {t for s in analysis.callgraph.sites.get(fn, ()) if id(s) not in skip for t in s.targets}
    if fn in g:
        out |= {t for t, k in g.adj[fn].items() if k["kind"] == "ref"}
        module = g.nodes[fn].get("module")
        if module:
            out.add(module)
    return out


def _closure(analysis: Analysis, starts, skip: frozenset[int] = frozenset()) -> set[str]:
    seen = set(starts)
    queue = deque(seen)
    while queue:
        for t in _successors(analysis, queue.popleft(), skip):
            if t not in seen:
                seen.add(t)
                queue.append(t)
    return seen


def _sink_paths(analysis: Analysis, region: Region) -> list[SinkPath]:
    """Every sink call reachable from REGION's call sites (first path found to each, breadth first),
    and whether a breaker runs before it (the same judgement as KW301)."""
    safety = analysis.safety
    if safety is None:
        return []
    found: list[SinkPath] = []
    seen: set[str] = set()
    # queue entries: (call site, guarded so far, trace so far)
    queue: deque[tuple[CallSite, bool, list[TraceStep]]] = deque((s, False, []) for s in region.sites)
    while queue:
        site, guarded, trace = queue.popleft()
        guarded = guarded or safety.protected(site)
        sink = safety.is_sink_site(site)
        if sink:
            found.append(SinkPath(sink, site, guarded, trace + [TraceStep(
                site.path, site.line, site.column,
                f"calls sink {sink}" + (" after a breaker" if guarded else " with no breaker before it"))]))
            continue
        for target in sorted(site.targets):
            if target in seen or target not in analysis.index.defs:
                continue
            seen.add(target)
            step = trace + [TraceStep(site.path, site.line, site.column, f"calls {target}")]
            inner = guarded or target in safety.guarded_functions
            queue.extend((s, inner, step) for s in analysis.callgraph.sites.get(target, ()))
    return sorted(found, key=lambda s: (s.guarded, s.site.path, s.site.line, s.site.column))


def _regions(analysis: Analysis, key: str, value: bool) -> list[Region]:
    return [r for read in analysis.flags.reads if key in read.keys and read.site.caller in analysis.reach_static
            for r in read.regions if r.on == value and not one_line(read, r)]


def _branches(analysis: Analysis, key: str, value: bool) -> list[Branch]:
    regions = _regions(analysis, key, value)
    sites = frozenset(id(s) for r in regions for s in r.sites)
    without = _closure(analysis, analysis.roots, sites)
    branches = []
    for region in regions:
        woken = _closure(analysis, {t for s in region.sites for t in s.targets}) - without
        woken = sorted(q for q in woken if analysis.index.kind(q) == "function")
        branches.append(Branch(region, _sink_paths(analysis, region), woken))
    return branches


def _observed(analysis: Analysis, key: str, host: str) -> str:
    seen = {r.on for r in _regions(analysis, key, True) + _regions(analysis, key, False)
            if host in analysis.region_hosts(r)}
    return {frozenset({True}): "on", frozenset({False}): "off"}.get(frozenset(seen), "both" if seen else "unknown")


def blast(analysis: Analysis, key: str, value: bool, hosts: str | None = None) -> Blast:
    """What KEY=VALUE wakes and stops on each host of the production coverage matching HOSTS (a glob)."""
    chosen = [h for h in analysis.hosts if hosts is None or fnmatch.fnmatchcase(h, hosts)]
    spec = analysis.registry.flags.get(key) if analysis.registry else None
    wakes = _branches(analysis, key, value)
    at_value = {h for b in wakes for h in analysis.region_hosts(b.region)}
    for b in wakes:
        ran = analysis.region_hosts(b.region)
        read = b.region.read
        reached = analysis.ran_on(read.path, read.line, read.line)
        for h in chosen:
            b.hosts[h] = ("ran" if h in ran else "unreached" if h not in reached
                          else "closed" if h in at_value else "untested")
    return Blast(key, value, spec.kind if spec else "", chosen, wakes, _branches(analysis, key, not value),
                 {h: _observed(analysis, key, h) for h in chosen})


def known_keys(analysis: Analysis) -> set[str]:
    return {k for read in analysis.flags.reads for k in read.keys}
