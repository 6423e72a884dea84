"""Kill-switch liveness: the sink calls a kill switch fails to stop, and whether the project's tests
ever ran its on-branch. Read by KW502."""

from __future__ import annotations

import ast
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
    """Breadth first from the entry points along call sites the switch does not stop, as KW301's walk
    goes (wrappers in the context of each call, methods on the receiver's class): the sink calls (of
    SINKS) reached. A call of a function that raises when the switch is on (`ensure_trading()`, or
    `with trading_enabled():` over a context manager that raises before it yields), or of a helper
    that always calls one, stops what comes after it, as a breaker call does."""
    from knightwatch.graphs.safety import Safety

    reads = reads_of(analysis, key)
    regions = [g for r in reads for g in r.regions]
    by_caller: dict[str, list[FlagRead]] = {}
    for r in reads:
        by_caller.setdefault(r.site.caller, []).append(r)
    sources = analysis.safety.sources if analysis.safety else {}
    walk = Safety(analysis.callgraph, sorted(sinks), sorted(_refusing(analysis, reads)),
                  "kill switch", sources, stopped=lambda site: _stopped(site, regions))
    return [Unswitched(u.site, u.sink, u.path, [r for f, _ in u.path for r in by_caller.get(f, ())], u.may)
            for u in walk.unguarded(analysis.roots)]


def _refusing(analysis: Analysis, reads: list[FlagRead]) -> set[str]:
    """Functions that raise when the switch is on: a read of it whose on-branch ends in `raise`, in a
    generator before its first `yield` (a context manager that refuses to enter)."""
    found = set()
    for r in reads:
        q = r.site.caller
        if q in found or analysis.index.kind(q) != "function" or not analysis.safety:
            continue
        func = analysis.safety.function_ast(q)
        if func is None:
            continue
        first_yield = min((n.lineno for n in ast.walk(func) if isinstance(n, (ast.Yield, ast.YieldFrom))), default=None)
        for reg in r.regions:
            if not reg.on or reg.kind not in ("if", "else") or first_yield is not None and reg.end >= first_yield:
                continue
            for n in ast.walk(func):
                body = (n.body if reg.kind == "if" else n.orelse) if isinstance(n, ast.If) else None
                if body and body[0].lineno == reg.start and isinstance(body[-1], ast.Raise):
                    found.add(q)
    return found


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
