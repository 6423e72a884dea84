"""KW102 dead-code."""

from __future__ import annotations

from knightwatch.finding import Severity
from knightwatch.rule import Rule
from knightwatch.source.schema import Tag

FRAMEWORK_DUNDERS = frozenset({"__init__", "__new__", "__call__", "__getattr__"})


class DeadCode(Rule):
    """A function, class or module that no entry point can reach.

    ## What it does
    Walks the call graph (calls, may-calls such as dispatch by name, and references such as
    callbacks and imports) from the configured entry points — or from every module's top level
    when none are configured — and reports the outermost function, class or module that nothing
    reaches. Also alive: code any coverage host ran (judged by body lines), scripts and entry
    points declared in the packaging metadata, `__all__` of a library (`project = "library"`),
    methods of a live class with a base outside the analysed source (a framework calls them),
    whose name is called on a value the call graph cannot type, or that override a live method,
    properties read where they resolve or whose name is read on a value the call graph cannot
    type, public members of the classes a package lists in `__all__` in a project that loads
    plugins (the plugins use them), and subclasses of a live base when the project loads classes
    or modules by name. Code the project's own tests use is used too
    (`dead-code-tests = "users"`, the default): analysed test files (`test_*.py`, `*_test.py`,
    `conftest.py`, files under `tests/` or pytest's `testpaths`) are entry points, every definition
    in them included; a definition whose name the code of a test file that is not analysed uses
    (prose in strings and comments aside) is alive. Each finding has a confidence, the share of
    such findings measured truly dead on real projects: 100% when nothing names it; 80% when its
    name is mentioned somewhere (it might be reached by name); 40% when production ran code in the
    same module or class family that the call graph cannot reach, or when `.name()` is called on
    a value the call graph cannot type; 30% for a subclass of a live base in a project with no
    loader; 20%, with `dead-code-tests = "ignore"`, when only the project's tests name it. Code that
    only other findings use is no surer than they are: a finding's confidence is at most that of
    each finding that calls it.

    ## Why is this bad?
    Dead code is not harmless: it is tomorrow's dormant path. Power Peg sat unused for nine years,
    still deployable and still wired to a flag, until a flag change woke it up.

    ## Example
    ```python
    # smars/legacy/fix42_bridge.py: nothing imports this module any more, not even a test
    def relay(order):
        gateway.send(order)
    ```

    ## Use instead
    Delete the module, or wire it to an entry point and test it if it is still needed. To have code
    that only the tests use reported as well (at 20%), set `dead-code-tests = "ignore"` in
    `[tool.knightwatch]`.
    """

    id = "KW102"
    name = "dead-code"
    legacy = "dead code"
    severity = Severity.LOW
    tags = ("maintainability", "dead-code")
    precision = "high"

    def check(self, analysis):
        g = analysis.callgraph.graph
        live = analysis.liveness
        reached = live.alive
        idx = analysis.index
        words = set()
        for info in analysis.files.values():
            if info.summary:
                words.update(info.summary["words"])
        near_gap = _near_gaps(idx, live.gaps)
        untyped = live.untyped
        tested = live.tested
        reported: set[str] = set()
        finding_of: dict[str, str] = {}  # each unreached definition -> the finding that holds it
        found = []
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
                if parent in finding_of:
                    finding_of[q] = finding_of[parent]
                continue
            name = scope.rpartition(".")[2] if scope else module.rpartition(".")[2]
            if kind == "function" and name.startswith("__") and name.endswith("__"):
                continue
            reported.add(q)
            finding_of[q] = q
            line = 1 if kind == "module" else entry["line"]
            found.append([q, kind, line, *self._confidence(idx, q, kind, name, words, near_gap, live, untyped, tested)])
        _callers_bound(g, found, finding_of)
        for q, kind, line, confidence, why in found:
            sends = self._sends(analysis, q)
            what = {"module": "module", "class": "class", "function": "function"}[kind]
            yield self.finding(
                g.nodes[q]["path"], line,
                f"{what} {q} is unreachable from every entry point (confidence {confidence}%)"
                + (" and can reach a sink" if sends else ""),
                severity=Severity.MEDIUM if sends else Severity.LOW,
                symbol=q, confidence=confidence, kind=what, why=why,
            )

    @staticmethod
    def _confidence(idx, q: str, kind: str, name: str, words: set[str], near_gap, live, untyped: frozenset[str],
                    tested: frozenset[str]) -> tuple[int, str]:
        """How sure the finding is, and why it is not surer: 100% only when no loader, dispatch by
        name or framework could reach it."""
        owner = q if kind == "class" else q.rpartition(".")[0]
        if owner in live.orphans or q in live.orphans:
            return 30, f"subclass of {live.orphans.get(owner) or live.orphans[q]}, which is used: a plugin may load it"
        if near_gap(q, owner):
            return 40, "production ran code near it that the call graph cannot reach"
        if kind == "function" and name in untyped:
            return 40, f".{name}() is called on a value the call graph cannot type"
        if name in tested:
            return 20, "only the tests name it"
        if kind != "module" and name in words:
            return 80, "its name is mentioned elsewhere: it may be reached by name"
        return 100, "nothing names it"

    @staticmethod
    def _sends(analysis, q: str) -> bool:
        """Q (or code in it) reaches a sink, directly or through the calls it makes, or calls a sink
        method's name on a value the graph cannot type (dead code's parameters are bound by no call:
        `def relay(venue, raw): venue.place(raw)`)."""
        if not analysis.safety:
            return False
        prefix = q + "."
        sinks = analysis.safety.sinks
        if any((c == q or c.startswith(prefix)) and c not in sinks for c in analysis.sink_reachers):
            return True
        idx = analysis.index
        names = {s.rpartition(".")[2] for s in sinks if idx.kind(s.rpartition(".")[0]) == "class"}
        for caller, sites in analysis.callgraph.sites.items():
            if caller == q or caller.startswith(prefix):
                for site in sites:
                    callee = analysis.safety.wrappers.call(site).callee
                    if not site.targets and callee[0] == Tag.ATTR and callee[2] in names:
                        return True
        return False


def _near_gaps(idx, gaps: list[str]):
    """A test: is a definition in a module, or a class family, where production ran a function the
    call graph cannot reach? (The graph has a hole there, so its other verdicts are weaker.)"""
    modules = {idx.defs[q][0] for q in gaps}
    families: set[str] = set()
    for q in gaps:
        owner = q.rpartition(".")[0]
        if idx.kind(owner) == "class":
            families.update(idx.mro(owner))

    def near(q: str, owner: str) -> bool:
        if idx.defs[q][0] in modules:
            return True
        return idx.kind(owner) == "class" and any(b in families for b in idx.mro(owner))
    return near


def _callers_bound(g, found: list, finding_of: dict[str, str]) -> None:
    """A definition that unreached code calls is dead only if that code is: its confidence is at most
    its callers' (grown to a fixpoint, in place in FOUND's [q, kind, line, confidence, why] rows)."""
    row = {r[0]: r for r in found}
    changed = True
    while changed:
        changed = False
        for r in found:
            for caller in g.predecessors(r[0]):
                f = finding_of.get(caller)
                if f is not None and f != r[0] and row[f][3] < r[3]:
                    r[3], r[4] = row[f][3], f"{f}, reported at {row[f][3]}%, uses it"
                    changed = True
