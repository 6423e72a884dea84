"""KW102 dead-code."""

from __future__ import annotations

from knightwatch.finding import Severity
from knightwatch.rule import Rule

FRAMEWORK_DUNDERS = frozenset({"__init__", "__new__", "__call__", "__getattr__"})


class DeadCode(Rule):
    """A function, class or module that no entry point can reach.

    ## What it does
    Walks the call graph (calls, may-calls such as dispatch by name, and references such as
    callbacks and imports) from the configured entry points — or from every module's top level
    when none are configured — and reports the outermost function, class or module that nothing
    reaches. Each finding has a confidence: 100% when its name appears nowhere else in the
    project, 60% when the name is mentioned somewhere (it might be reached dynamically).

    ## Why is this bad?
    Dead code is not harmless: it is tomorrow's dormant path. Power Peg sat unused for nine years,
    still deployable and still wired to a flag, until a flag change woke it up.

    ## Example
    ```python
    # smars/legacy/fix42_bridge.py: nothing imports this module any more
    def relay(order):
        gateway.send(order)
    ```

    ## Use instead
    Delete the module, or wire it to an entry point and test it if it is still needed.
    """

    id = "KW102"
    name = "dead-code"
    severity = Severity.LOW
    tags = ("maintainability", "dead-code")
    precision = "high"

    def check(self, analysis):
        g = analysis.callgraph.graph
        reached = analysis.reach_all
        idx = analysis.index
        words = set()
        for info in analysis.files.values():
            if info.summary:
                words.update(info.summary["words"])
        reported: set[str] = set()
        for q in sorted(idx.defs, key=lambda q: (g.nodes[q]["path"], g.nodes[q]["line"])):
            if q in reached:
                continue
            module, scope, entry = idx.defs[q]
            kind = entry["kind"]
            if kind == "lambda":
                continue
            parent = module if not scope else f"{module}.{entry['parent']}" if entry["parent"] else module
            if parent in reported or (parent != q and parent not in reached):
                reported.add(q)  # folded into the enclosing dead definition
                continue
            name = scope.rpartition(".")[2] if scope else module.rpartition(".")[2]
            if kind == "function" and name.startswith("__") and name.endswith("__"):
                continue
            reported.add(q)
            path = g.nodes[q]["path"]
            line = 1 if kind == "module" else entry["line"]
            mentioned = name in words if kind != "module" else False
            confidence = 60 if mentioned else 100
            sends = self._sends(analysis, q)
            what = {"module": "module", "class": "class", "function": "function"}[kind]
            yield self.finding(
                path, line,
                f"{what} {q} is unreachable from every entry point (confidence {confidence}%)"
                + (" and calls a sink" if sends else ""),
                severity=Severity.MEDIUM if sends else Severity.LOW,
                symbol=q, confidence=confidence, kind=what,
            )

    @staticmethod
    def _sends(analysis, q: str) -> bool:
        if not analysis.safety:
            return False
        prefix = q + "."
        return any(analysis.safety.is_sink_site(s) for caller, sites in analysis.callgraph.sites.items()
                   if caller == q or caller.startswith(prefix) for s in sites)
