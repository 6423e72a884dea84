"""KW301 breaker-out-of-reach."""

from __future__ import annotations

from knightwatch.finding import Severity, TraceStep
from knightwatch.rule import Rule


class BreakerOutOfReach(Rule):
    """A money-moving call can run on a path where no circuit breaker runs before it.

    ## What it does
    Follows every path from the entry points (`entry-points`) to each call of a configured sink
    (`[tool.knightwatch.safety] sinks`, including overrides of a sink method) and reports the sink
    call when some path reaches it without a configured breaker running first. A breaker counts
    when its call runs on every path to the sink in the same function (an earlier statement, an
    enclosing `if` test, an early-return guard, an argument of the sink call), when it decorates a
    function on the path, or when every caller reaches the function through such a guarded call.
    A call to a helper that always calls a breaker before returning normally, and sends nothing
    itself, counts as the breaker (`amount = self._sized(amount)` before
    `self.venue.send(amount)`): every path out of the helper, except by an exception (the breaker
    refusing), must pass a breaker first. A breaker inside `try` counts when every handler leaves
    the function; an `async def` breaker counts only where it is awaited.
    Paths also start where code outside the project starts the project's: at a function registered
    by a decorator from outside it (`@router.post("/orders")`: the framework calls it) and, with
    production coverage, at each function a host ran that no call path from an entry point reaches
    (a plugin loaded by a name the analysis cannot follow); those are reported with lower
    confidence, naming that function, where no entry point's path reaches the same call.
    A decorator's wrapper is followed in the context of each call: through `@retried` on a
    `quote` method, `self.exchange.quote()` runs `quote`, not every method `@retried` decorates,
    and a call of a decorated sink is reported where it is written.
    The finding carries the unguarded path. Paths that need a may-call edge (dispatch by name, an
    override, a call of a name that may hold one of several closures, as a middleware chain built
    in a loop does) are reported high, with lower confidence.

    ## Why is this bad?
    Power Peg's cumulative-quantity check was refactored into a helper that nothing on its path
    called. When the re-purposed flag woke Power Peg up, it sent child orders with nothing to stop
    it: 4 million executions and $460M lost in 45 minutes.

    ## Example
    ```python
    def execute(self, parent):
        for tick in self.market.ticks():
            child = self.next_child(parent, tick)
            self.gateway.send(child)          # nothing checks the filled quantity
    ```

    ## Use instead
    ```python
    def execute(self, parent):
        for tick in self.market.ticks():
            child = self.next_child(parent, tick)
            if not risk.check_cumulative(parent, child.qty):
                return
            self.gateway.send(child)
    ```
    """

    id = "KW301"
    name = "breaker-out-of-reach"
    about_unguarded_sink = True
    severity = Severity.CRITICAL
    needs = frozenset({"sinks", "entry-points"})
    tags = ("security", "safety", "trading")
    precision = "high"

    def check(self, analysis):
        safety = analysis.safety
        breakers = ", ".join(safety.configured_breakers) or "none configured"
        for u in analysis.derived.unguarded_sinks:
            trace = []
            for fn, site in u.path:
                if site is not None:
                    trace.append(TraceStep(site.path, site.line, site.column, f"calls {fn}"))
            trace.append(TraceStep(u.site.path, u.site.line, u.site.column, f"calls sink {u.sink} with no breaker before it"))
            chain = " -> ".join(fn.rpartition(".")[2] if i else fn for i, (fn, _) in enumerate(u.path))
            severity = Severity.HIGH if u.may else Severity.CRITICAL
            seen = f"; {u.start}" if u.start else ""
            yield self.finding(
                u.site.path, u.site.line,
                f"{u.sink} can run with no breaker ({breakers}) before it, via {chain}{seen}",
                column=u.site.column, end_line=u.site.end_line, end_column=u.site.end_column,
                severity=severity, symbol=f"{u.site.caller}->{u.sink}", trace=trace,
                sink=u.sink, breakers=safety.configured_breakers, confidence="medium" if u.may else "high",
                path_functions=[fn for fn, _ in u.path],
            )
