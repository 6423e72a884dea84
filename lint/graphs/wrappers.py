"""Wrapper functions seen per context, for safety reachability.

A decorator's (or wrapper factory's) inner `wrapper` calls the function the decorator was given
through a closure parameter (`return f(*args, **kwargs)`), so the call graph gives that call an edge
to every function the decorator is applied to. That is what the graph must say (PyCG's convention),
but a path through one decorated function then "reaches" all the others. Here a call of a wrapper
carries a context: the functions it wraps at that call (the decorated method the callee names, or
the function handed to a factory called on the spot: `safe(f, ...)(*args)`), and in that context
the wrapper's closure calls run only those. A wrapper reached with no such context (its value
flowed through variables, parameters or containers) may wrap any function code takes as a value,
but none that code only ever calls by name: no value of those exists to flow anywhere."""

from __future__ import annotations

from typing import TYPE_CHECKING

from knightwatch.graphs.index import qualify
from knightwatch.source.schema import Call, Tag

if TYPE_CHECKING:
    from knightwatch.graphs.callgraph import CallGraph, CallSite

#: decorators stacked on one function that are followed through, at most
MAX_STACK = 6


class Wrappers:
    """The closure calls of every wrapper in a call graph, and the contexts calls give wrappers."""

    def __init__(self, cg: CallGraph):
        self.cg = cg
        #: function -> {id of a closure call site in it: (function the parameter belongs to, parameter,
        #: the wrapper: the function nested right in that one which the call is in, or is nested in)}
        self.closure: dict[str, dict[int, tuple[str, str, str]]] = {}
        #: wrapper -> the functions its closure calls (its own, and those of functions nested in it) may run
        self.wrapped: dict[str, frozenset[str]] = {}
        for caller, sites in cg.sites.items():
            for site in sites:
                owner = self._closure_parameter(site)
                if owner is not None and site.targets:
                    self.closure.setdefault(caller, {})[id(site)] = owner
                    self.wrapped[owner[2]] = self.wrapped.get(owner[2], frozenset()) | frozenset(site.targets)
        self._calls_at: dict[tuple[str, str, int, int, tuple], list] | None = None
        #: wrapper -> the functions it decorates that no code takes as a value (only calls by name):
        #: a value of the wrapper that flowed here from elsewhere wraps none of them
        self.call_only: dict[str, frozenset[str]] = {}
        if self.wrapped:
            named = self._named_as_values()
            for w, fns in self.wrapped.items():
                self.call_only[w] = frozenset(q for q in fns if q in cg.index.defs and cg.index.entry(q).get("decorators")
                                              and q.rpartition(".")[2] not in named)

    def call(self, site: CallSite) -> Call:
        return Call(*self.cg.index.summaries[site.module]["calls"][site.index])

    def _closure_parameter(self, site: CallSite) -> tuple[str, str, str] | None:
        """(enclosing function, parameter, wrapper) when SITE calls a parameter of a function its own
        function is nested in (`f` in `def decorator(f): def wrapper(*a): return f(*a)`), only passed
        in; the wrapper is the function nested right in the enclosing one on the way to SITE."""
        idx = self.cg.index
        if site.caller not in idx.defs or idx.kind(site.caller) != "function":
            return None
        callee = self.call(site).callee
        if callee[0] != Tag.NAME:
            return None
        name = callee[1]
        module, scope, entry = idx.defs[site.caller]
        if name in entry["names"] or name in idx.params(module, scope):
            return None
        scopes = idx.summaries[module]["scopes"]
        inner, s = scope, entry["parent"]
        while s:  # class bodies do not lend their names to the functions in them: skipped
            outer = scopes[s]
            if outer["kind"] == "function":
                if name in outer["names"]:
                    return None
                if name in idx.params(module, s):
                    return qualify(module, s), name, qualify(module, inner)
            inner, s = s, outer["parent"]
        return None

    def _named_as_values(self) -> set[str]:
        """The names code reads other than to call them at once (`cb = self.send`, `f(self.send)`),
        the string constants (`getattr(x, "send")`), and the members of the classes a `getattr` with
        a computed name reads from."""
        idx = self.cg.index
        named: set[str] = set()
        for module, summary in idx.summaries.items():
            called = {(c[0], c[1], c[2]) for c in summary["calls"]}
            named.update(name for scope, name, line in summary.get("name_loads", ())
                         if (scope, (Tag.NAME, name), line) not in called)
            named.update(expr[2] for scope, expr, line in summary.get("attr_loads", ())
                         if (scope, expr, line) not in called)
            dynamic: list[tuple[str, tuple]] = []
            _strings(summary, named, dynamic, "")
            for scope, obj in dynamic:
                for v in idx.resolve(module, scope, obj):
                    named.update(idx.member_names(v))
        return named

    def targets(self, site: CallSite, ctx: frozenset[str] | None) -> dict[str, bool]:
        """What SITE calls when its function runs in context CTX: a closure call runs only the wrapped
        functions of the context (all it may, when none of them is among them); in no context (the
        wrapper reached as a value that flowed from elsewhere), none that code only calls by name. A
        call of a name that may hold one of several closures (out of a context) is a may-call of each:
        the instances a factory made are not told apart."""
        closure = self.closure.get(site.caller, {}).get(id(site))
        if closure is None:
            return self._conflated(site.targets) if self.call(site).callee[0] == Tag.NAME else site.targets
        if ctx is not None:
            kept = {t: may for t, may in site.targets.items() if t in ctx}
            if kept:
                return kept
        only = self.call_only.get(closure[2], frozenset()) if ctx is None else frozenset()
        found = {t: may for t, may in site.targets.items() if t not in only}
        return self._conflated(found)

    def _conflated(self, targets: dict[str, bool]) -> dict[str, bool]:
        """TARGETS of a call of a name all as may-calls when they are more than one function and one
        of them is a closure (a function made by another: which instance the name holds is not known)."""
        idx = self.cg.index
        if len(targets) > 1 and any(t in idx.defs and idx.kind(t) == "function" and _nested(idx, t) for t in targets):
            return {t: True for t in targets}
        return targets

    def context(self, site: CallSite, target: str, ctx: frozenset[str] | None) -> frozenset[str] | None:
        """The context in which SITE's call runs wrapper TARGET (None when TARGET is no wrapper or the
        call does not say which function it wraps); CTX is the context SITE's own function runs in."""
        if site.caller == target or target.startswith(site.caller + "."):
            return ctx  # the wrapper calling itself again (a retry), or a function nested in it
        wrapped = self.wrapped.get(target)
        if wrapped is None:
            return None
        if ctx is not None:  # an outer wrapper's closure call entering the next one of a stack
            passed = self._through(target, ctx - {target})
            if passed:
                return frozenset(passed)
        found = self._entered(site, target)
        for other in site.targets:  # `@retry @timed def f`: the call enters retry's wrapper, not timed's
            if other != target and other in self.wrapped:
                under = self._entered(site, other)
                if target in under:
                    found -= under
        return frozenset(found) or None

    def _entered(self, site: CallSite, target: str) -> set[str]:
        """The functions SITE's call may run under wrapper TARGET, with the wrappers between."""
        call = self.call(site)
        callee = call.callee
        found: set[str] = set()
        if callee[0] == Tag.ATTR:
            found = self._through(target, self._members(site, callee))
        elif callee[0] == Tag.CALL:
            found = self._through(target, self._handed(site, call, target))
        if not found and callee[0] != Tag.ATTR:  # an object called: its (decorated) `__call__`
            found = self._through(target, self._members(site, (Tag.ATTR, callee, "__call__")))
        if not found and callee[0] in (Tag.ATTR, Tag.NAME):  # `functools.wraps` keeps the name
            name = callee[2] if callee[0] == Tag.ATTR else callee[1]
            found = self._through(target, {q for q in self._stack(target) if q.rpartition(".")[2] == name})
        return found

    def _stack(self, wrapper: str, depth: int = 0) -> set[str]:
        """What WRAPPER's closure calls may run, and what the wrappers among those may run in turn
        (`@risk_checked` over `@timed`: the function under both)."""
        found = set(self.wrapped.get(wrapper, ()))
        if depth < MAX_STACK:
            for inner in list(found):
                if inner in self.wrapped and inner != wrapper:
                    found |= self._stack(inner, depth + 1)
        return found

    def _through(self, wrapper: str, functions: set[str], depth: int = 0) -> set[str]:
        """Those of FUNCTIONS that WRAPPER wraps, directly or under the wrappers it wraps, with the
        wrappers between (the context a stack of decorators runs in)."""
        direct = self.wrapped.get(wrapper, frozenset())
        found = set(direct & functions)
        if depth < MAX_STACK:
            for inner in direct:
                if inner in self.wrapped and inner != wrapper:
                    under = self._through(inner, functions, depth + 1)
                    if under:
                        found |= under | {inner}
        return found

    def _members(self, site: CallSite, callee: tuple) -> set[str]:
        """The methods `obj.attr` names, from the classes obj may be an instance (or a class) of."""
        idx = self.cg.index
        attr = callee[2]
        found: set[str] = set()
        for r in idx.resolve(site.module, site.scope, callee[1]):
            if r[0] == "sup" and r[2][0] in ("inst", "def"):
                member = idx.class_member(r[2][1], attr, after=r[1])
            elif r[0] in ("inst", "def") and idx.kind(r[1]) == "class":
                member = idx.class_member(r[1], attr)
            else:
                continue
            if member is not None:
                found.add(f"{member[0]}.{attr}")
        return found

    def _handed(self, site: CallSite, call: Call, wrapper: str) -> set[str]:
        """`factory(f, ...)(*args)`: the functions handed to the factory call, as the parameter that
        WRAPPER's closure calls read."""
        idx, cg = self.cg.index, self.cg
        inner = self._call_at(site, call.callee[1])
        if inner is None:
            return set()
        factories = {v[1] for v in idx.resolve(site.module, site.scope, inner.callee) if v[0] == "def"}
        found: set[str] = set()
        owners = {(o, p) for sites in self.closure.values() for o, p, w in sites.values() if w == wrapper}
        for owner, param in sorted(owners):
            if owner not in factories:
                continue
            params = idx.entry(owner).get("params", ())
            star = next((i for i, p in enumerate(params) if p.startswith("*")), len(params))
            expr = inner.kwargs.get(param)
            if expr is None and param in params[:star]:
                i = params.index(param)
                before = inner.args[: i + 1]
                if len(before) > i and all(a[0] != Tag.STARRED for a in before):
                    expr = inner.args[i]
            if expr is not None:
                found |= set(cg.targets(idx.resolve(site.module, site.scope, expr)))
        return found

    def _call_at(self, site: CallSite, callee: tuple) -> Call | None:
        """The call of CALLEE written where SITE's call starts (the inner call of `g(...)(...)`)."""
        if self._calls_at is None:
            self._calls_at = {}
        key = (site.module, site.scope, site.line, site.column, callee)
        if key not in self._calls_at:
            rows = self.cg.index.summaries[site.module]["calls"]
            self._calls_at[key] = [Call(*row) for row in rows if row[0] == site.scope and row[2] == site.line
                                   and row[3] == site.column and row[1] == callee][:1]
        found = self._calls_at[key]
        return found[0] if found else None


def _nested(idx, qname: str) -> bool:
    """QNAME is defined in the body of a function (a closure)."""
    module, _, entry = idx.defs[qname]
    return bool(entry["parent"]) and idx.summaries[module]["scopes"][entry["parent"]]["kind"] == "function"


def _strings(node, named: set[str], dynamic: list[tuple[str, tuple]], scope: str) -> None:
    """Collect the string constants in summary NODE into NAMED, and each `getattr` whose name is
    computed into DYNAMIC as (scope, object expression)."""
    if isinstance(node, dict):
        scopes = node.get("scopes")
        if isinstance(scopes, dict):  # a module summary: each scope's entries, each call in its scope
            for s, entry in scopes.items():
                _strings(entry, named, dynamic, s)
            for key, value in node.items():
                if key == "calls":
                    for row in value:
                        _strings(row, named, dynamic, row[0])
                elif key != "scopes":
                    _strings(value, named, dynamic, scope)
            return
        for value in node.values():
            _strings(value, named, dynamic, scope)
    elif isinstance(node, (list, tuple)):
        if len(node) == 2 and node[0] == Tag.STR and isinstance(node[1], str):
            named.add(node[1])
        elif len(node) >= 3 and node[0] == Tag.GETATTR and isinstance(node[2], (list, tuple)) \
                and node[2] and node[2][0] != Tag.STR:
            dynamic.append((scope, tuple(node[1]) if isinstance(node[1], list) else node[1]))
        for item in node:
            if isinstance(item, (dict, list, tuple)):
                _strings(item, named, dynamic, scope)
