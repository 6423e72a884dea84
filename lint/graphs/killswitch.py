"""Kill-switch liveness: the sink calls a kill switch fails to stop, and whether the project's tests
ever ran its on-branch. Read by KW502."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from knightwatch.analysis import Analysis
    from knightwatch.graphs.callgraph import CallSite
    from knightwatch.graphs.flags import FlagRead, Region


@dataclass
class Unswitched:
    """A guarded sink call reachable from an entry point on a path no on-branch of the switch stops."""

    site: CallSite
    sink: str
    path: list[tuple[str, CallSite | None]]  # (function, the call site that entered it)
    reads_on_path: list[FlagRead]  # reads of the switch on that path whose on-branch did not stop it
    may: bool = False  # the path uses a may-call edge


def reads_of(analysis: Analysis, key: str) -> list[FlagRead]:
    return [r for r in analysis.flags.reads if key in r.keys]


def _stopped(site: CallSite, regions: list[Region]) -> bool:
    """SITE runs only when the switch is off: inside the else branch of a read, or after an on-branch
    that returns, raises or leaves the loop (the rest of that block)."""
    return any(not r.on and r.start <= site.line <= r.end and site.caller == r.read.site.caller for r in regions)


def unswitched(analysis: Analysis, key: str, sinks: set[str]) -> list[Unswitched]:
    """Breadth first from the entry points along call sites the switch does not stop; the sink calls
    (of SINKS) reached."""
    reads = reads_of(analysis, key)
    regions = [g for r in reads for g in r.regions]
    by_caller: dict[str, list[FlagRead]] = {}
    for r in reads:
        by_caller.setdefault(r.site.caller, []).append(r)
    parent: dict[str, tuple[str, CallSite, bool] | None] = {r: None for r in analysis.roots}
    queue = deque(analysis.roots)
    found = []
    wrappers = analysis.safety.wrappers if analysis.safety else None
    while queue:
        fn = queue.popleft()
        for site in analysis.callgraph.sites.get(fn, ()):
            if _stopped(site, regions):
                continue
            may = {**site.targets, **(wrappers.targets(site, None) if wrappers else {})}
            hit = sorted((may[t], t) for t in site.targets if t in sinks)
            if hit and site.caller not in sinks:
                path = _path(parent, fn)
                certain = not hit[0][0] or sinks.issuperset(site.targets)  # a sink whichever runs
                found.append(Unswitched(site, hit[0][1], path, [r for f, _ in path for r in by_caller.get(f, ())],
                                        not certain or any(parent[f][2] for f, _ in path if parent[f])))
                continue
            for target in site.targets:
                if target not in parent and target in analysis.index.defs:
                    parent[target] = (fn, site, may[target])
                    queue.append(target)
    return sorted(found, key=lambda u: (u.site.path, u.site.line, u.site.column))


def _path(parent, fn: str) -> list[tuple[str, CallSite | None]]:
    chain = []
    node = fn
    while True:
        p = parent.get(node)
        chain.append((node, p[1] if p else None))
        if p is None:
            return chain[::-1]
        node = p[0]


def tested_on_branch(analysis: Analysis, key: str, files: list[Path]) -> bool:
    """Whether the test suite's coverage (FILES) ran an on-branch of some read of the switch."""
    from knightwatch.production.coverage_join import load_coverage

    sources = {i.path: i.text for i in analysis.files.values() if i.summary is not None}
    join = load_coverage(files, analysis.config.root, sources, analysis.config.paths)
    fatal = [p.message for p in join.problems if p.fatal]
    if fatal:
        from knightwatch.errors import KnightwatchError

        raise KnightwatchError(f"--test-coverage: {fatal[0]}")
    return any(join.hosts_running(g.path, range(g.start, g.end + 1))
               for r in reads_of(analysis, key) for g in r.regions if g.on)


def test_data(paths) -> tuple[tuple[str, str], ...]:
    """`--test-coverage` files as (absolute path, digest of the content)."""
    import hashlib

    from knightwatch.errors import KnightwatchError

    out = []
    for p in paths:
        path = Path(p).resolve()
        try:
            out.append((str(path), hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()))
        except OSError as exc:
            raise KnightwatchError(f"--test-coverage {p}: cannot read: {exc.strerror or exc}") from None
    return tuple(out)
