"""KW502 kill-switch-liveness."""

from __future__ import annotations

from pathlib import Path

from knightwatch.errors import KnightwatchError
from knightwatch.finding import Severity, TraceStep
from knightwatch.graphs.killswitch import reads_of, tested_on_branch, unswitched
from knightwatch.rule import Rule


class KillSwitchLiveness(Rule):
    """A kill switch that no longer stops every path to the sinks it guards, or whose on-branch no test runs.

    ## What it does
    For every flag of kind `kill-switch` in the registry, checks that its "on" side is still wired:
    every path from an entry point to a call of each sink it guards (`guards = [...]` on the flag's
    registry entry; default: every configured sink) passes a read of the switch whose on-branch
    stops the path (returns, raises, or leaves the loop before the sink, or the sink is in the
    else branch), or a call of a function that raises when the switch is on (`ensure_trading()`,
    `with trading_enabled():` over a context manager that raises before it yields, or a helper
    that always calls one). Paths are followed as KW301 follows them (decorators in the context of
    each call, methods on the receiver's class). Such a sink call is critical; high when the path needs a may-call edge (dispatch by
    name, an override, one of the closures a factory made). With `check --test-coverage FILE` (coverage.py data
    from the project's test suite), it also reports, as high, a switch whose on-branch no test ran.
    Kill switches are dormant in production by design, so production coverage proves nothing here.

    ## Why is this bad?
    A kill switch is pulled once, in the worst hour of the year. A refactor that moves a call to
    the venue out from under the switch, or an on-branch nobody has run since it was written, is
    found out then: Knight had no working way to stop the orders for 45 minutes.

    ## Example
    ```python
    def cancel_replace(flags, venue, order):
        venue.submit(order.replacement())   # moved out of route_order, which reads the switch
    ```

    ## Use instead
    ```python
    def cancel_replace(flags, venue, order):
        if flags.is_on(KILL_SWITCH):
            return None
        venue.submit(order.replacement())
    ```
    And a test that turns the switch on and asserts that nothing is sent.
    """

    id = "KW502"
    name = "kill-switch-liveness"
    severity = Severity.CRITICAL
    needs = frozenset({"registry", "sinks", "entry-points"})
    tags = ("safety", "feature-flags", "trading", "kill-switch")
    precision = "high"

    def check(self, analysis):
        test_files = [Path(p) for p, _ in analysis.config.test_coverage]
        for key, spec in sorted(analysis.registry.flags.items()):
            if spec.kind != "kill-switch":
                continue
            unknown = [g for g in spec.guards if g not in analysis.index.defs]
            if unknown:
                raise KnightwatchError(f"{analysis.registry.path}: flag {key!r}: guards {unknown[0]!r}, which is not "
                                       "found in the analysed sources")
            sinks = set(spec.guards) or set(analysis.safety.sinks)
            for u in unswitched(analysis, key, sinks):
                trace = [TraceStep(site.path, site.line, site.column, f"calls {fn}") for fn, site in u.path if site]
                trace.append(TraceStep(u.site.path, u.site.line, u.site.column,
                                       f"calls sink {u.sink} with kill switch {key!r} unable to stop it"))
                how = (f"reads it at {u.reads_on_path[0].path}:{u.reads_on_path[0].line} but its on-branch does "
                       "not stop the path" if u.reads_on_path else "no read of it is on the path")
                chain = " -> ".join(fn.rpartition(".")[2] if i else fn for i, (fn, _) in enumerate(u.path))
                yield self.finding(
                    u.site.path, u.site.line,
                    f"kill switch {key!r} cannot stop this call of {u.sink} ({how}), via {chain}",
                    column=u.site.column, end_line=u.site.end_line, end_column=u.site.end_column,
                    severity=Severity.HIGH if u.may else Severity.CRITICAL, confidence="medium" if u.may else "high",
                    symbol=f"{u.site.caller}->{u.sink}:{key}", trace=trace, flag=key, sink=u.sink)
            reads = reads_of(analysis, key)
            if test_files and reads and not tested_on_branch(analysis, key, test_files):
                first = min(reads, key=lambda r: (r.path, r.line))
                yield self.finding(
                    first.path, first.line,
                    f"no test runs the on-branch of kill switch {key!r} (test coverage from "
                    f"{len(test_files)} data file(s)): nothing shows that turning it on stops anything",
                    column=first.site.column, severity=Severity.HIGH, symbol=f"{key}:untested",
                    trace=[TraceStep(r.path, r.line, r.site.column, f"reads {key!r} via {r.via}; on-branch never "
                                     "ran under the tests") for r in sorted(reads, key=lambda r: (r.path, r.line))],
                    flag=key)
