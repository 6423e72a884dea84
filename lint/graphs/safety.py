"""Sinks (calls that move money), breakers (checks that must run first) and the entry-to-sink paths
on which no breaker runs before the sink."""

from __future__ import annotations

import ast
from collections import deque
from dataclasses import dataclass
from typing import Callable, Mapping

from knightwatch.graphs.always_calls import always_checks, checked_before, checks_before_yield, find_function
from knightwatch.graphs.callgraph import CallGraph, CallSite
from knightwatch.graphs.index import qualify
from knightwatch.source.schema import Tag, written
from knightwatch.graphs.wrappers import Wrappers
from knightwatch.errors import KnightwatchError

#: the classes of the objects a call's receiver may be, at most, for the safety walk to follow each
MAX_RECEIVERS = 8
#: a function and the context it runs in (the functions a wrapper wraps there; see `Wrappers`)
State = tuple[str, "frozenset[str] | None"]


def _dominates(a: CallSite, s: CallSite) -> bool:
    """True when call A runs on every path to call S inside their (shared) function body."""
    if a.module != s.module or a.scope != s.scope or a.cond or a is s:
        return False
    k = len(a.pos)
    if k == 0:
        return False
    if s.pos[: k - 1] == a.pos[: k - 1] and len(s.pos) >= k and s.pos[k - 1] > a.pos[k - 1] \
            and s.pos[k - 2] == a.pos[k - 2]:
        return True  # a later statement of the same block
    if s.pos[:k] == a.pos and len(s.pos) > k:
        return True  # S is nested in the compound statement whose header calls A
    if s.pos == a.pos:  # same statement: arguments run first, then left to right
        inside = (s.line, s.column) <= (a.line, a.column) and (a.end_line, a.end_column) <= (s.end_line, s.end_column)
        before = (a.end_line, a.end_column) <= (s.line, s.column)
        return inside or before
    return False


@dataclass
class UnguardedSink:
    """A sink call reachable from an entry point with no breaker before it."""

    site: CallSite
    sink: str
    path: list[tuple[str, CallSite | None]]  # (function, the call site that entered the next step)
    may: bool  # the path uses a may-call edge
    start: str | None = None  # where a path that no entry point's calls make starts, and why it runs


class Safety:
    """Resolve sinks and breakers and find sink calls no breaker dominates on some entry path."""

    def __init__(self, cg: CallGraph, sinks: list[str], breakers: list[str], where: str,
                 sources: Mapping[str, str] | None = None, stopped: Callable[[CallSite], bool] | None = None):
        self.cg = cg
        #: call sites that never run on the paths looked for (a kill switch's off side), or None
        self.stopped = stopped
        idx = cg.index
        for name, kind in [(s, "sink") for s in sinks] + [(b, "breaker") for b in breakers]:
            if name not in idx.defs:
                raise KnightwatchError(f"{where}: {kind} {name!r} not found in the analysed sources")
        self.configured = frozenset(sinks)
        self.sinks = set(sinks)
        for sink in sinks:  # an override of a sink method sends too, as does a Protocol's implementation
            owner, _, method = sink.rpartition(".")
            if idx.kind(owner) == "class":
                self.sinks |= {f"{sub}.{method}" for sub in idx.implementations(owner) if f"{sub}.{method}" in idx.defs}
        self.configured_breakers = sorted(breakers)  # as named in the configuration, for messages
        self.breakers = set(breakers)
        for breaker in breakers:  # an implementation of an interface's check checks too
            owner, _, method = breaker.rpartition(".")
            if idx.kind(owner) == "class":
                self.breakers |= {f"{sub}.{method}" for sub in idx.implementations(owner)
                                  if f"{sub}.{method}" in idx.defs}
        self.wrappers = Wrappers(cg)
        self.sources = sources or {}
        self._trees: dict[str, ast.Module | None] = {}
        self._protected: dict[int, bool] = {}
        self._awaited: dict[str, set[tuple[int, int]]] = {}  # function -> the calls awaited in it
        #: the (function, context) states from which a chain of calls reaches a sink
        self.reaching = self._reaching_states()
        self.guarded_functions = {
            q for q in idx.defs if idx.kind(q) == "function"
            and any(v[0] == "def" and v[1] in self.breakers
                    for d in idx.entry(q).get("decorators", ())
                    for v in idx.resolve(idx.defs[q][0], idx.entry(q)["parent"] or "", d))
        }
        #: functions that always call a breaker (themselves or through such a helper) before
        #: returning normally: a call to one of them counts as the check
        self.checking = self._checking_helpers()
        # a function whose framework dependency checks (`qty: int = Depends(checked_qty)`) is guarded
        checks = self.breakers | self.checking
        self.guarded_functions |= {q for q in idx.defs if idx.kind(q) == "function"
                                   and any(d in checks for d in cg.dependencies(q))}

    def is_sink_site(self, site: CallSite, ctx: frozenset[str] | None = None) -> str | None:
        """The sink SITE calls (in context CTX), preferring one it calls for certain over a may-call, and
        a configured one over an override or an implementation of it."""
        found = sorted((may, t not in self.configured, t) for t, may in self.wrappers.targets(site, ctx).items()
                       if t in self.sinks)
        return found[0][2] if found else None

    def _next(self, site: CallSite, ctx: frozenset[str] | None) -> list[tuple[State, bool]]:
        """The states SITE's call (made in context CTX) enters, each with its may-flag."""
        w = self.wrappers
        return [((t, w.context(site, t, ctx)), may) for t, may in w.targets(site, ctx).items()]

    def _reaching_states(self) -> set[State]:
        """The states from which some chain of calls reaches a sink: every function in no context,
        and each wrapper in the contexts the calls of it give (references such as imports do not call)."""
        g = self.cg.graph
        callers: dict[State, set[State]] = {}
        states: list[State] = [(q, None) for q in g]
        seen = set(states)
        for state in states:  # (grows as contexts are met)
            fn, ctx = state
            made: set[str] = set()
            for site in self.cg.sites.get(fn, ()):
                made.update(site.targets)
                for nxt, _ in self._next(site, ctx):
                    callers.setdefault(nxt, set()).add(state)
                    if nxt not in seen:
                        seen.add(nxt)
                        states.append(nxt)
            for t, kind in g.adj[fn].items():  # imports, property reads: calls made without a site
                if kind["kind"] != "ref" and t not in made:
                    callers.setdefault((t, None), set()).add(state)
        found = {s for s in seen if s[0] in self.sinks}
        work = deque(found)
        while work:
            for c in callers.get(work.popleft(), ()):
                if c not in found:
                    found.add(c)
                    work.append(c)
        return found

    def site_reaches_sink(self, site: CallSite) -> bool:
        """Some function SITE calls (in no context of its own) reaches a sink."""
        return any(nxt in self.reaching for nxt, _ in self._next(site, None))

    def sink_reached(self, sites) -> str | None:
        """The sink nearest to SITES (breadth first) that some chain of calls from them reaches, or None."""
        queue: deque[State] = deque()
        seen: set[State] = set()
        for site in sites:
            sink = self.is_sink_site(site)
            if sink:
                return sink
            queue.extend(nxt for nxt, _ in self._next(site, None) if nxt in self.reaching)
        while queue:
            state = queue.popleft()
            if state in seen:
                continue
            seen.add(state)
            if state[0] in self.sinks:
                return state[0]
            for site in self.cg.sites.get(state[0], ()):
                queue.extend(nxt for nxt, _ in self._next(site, state[1]) if nxt in self.reaching)
        return None

    def is_breaker_site(self, site: CallSite) -> bool:
        """SITE calls a breaker, or a helper that always calls one before returning (every function
        it may call is such a helper)."""
        targets = site.targets
        return any(t in self.breakers for t in targets) or bool(targets) and all(t in self.checking for t in targets)

    def _checking_helpers(self) -> set[str]:
        """Functions that call a breaker before every normal return and send nothing themselves,
        grown from the breakers' callers up through helpers that call such functions (read from the
        functions' ASTs). A function that sends is no check for what its caller calls next: its
        check was for its own order."""
        idx, g = self.cg.index, self.cg.graph
        found = self.checking = set(self.guarded_functions)  # is_breaker_site reads the helpers found so far
        work = deque(sorted({c for b in self.breakers if b in g for c in g.predecessors(b)}))
        sending = {fn for fn, _ in self.reaching}  # (a decorator's wrapper sends in the context of a sender)
        while work:
            q = work.popleft()
            if q in found or q in self.breakers or idx.kind(q) != "function" or q in sending:
                continue
            func = self.function_ast(q)
            manager = {"contextmanager", "asynccontextmanager"} & set(idx.decorator_names(q))
            if func is not None and (checks_before_yield if manager else always_checks)(func, self._check_in(q)):
                # its callers may now always check too (even one refused before)
                found.add(q)
                work.extend(sorted(c for c in g.predecessors(q) if c not in found))
        return found

    def _check_in(self, q: str):
        """The `always_calls` check for function Q: a call whose site calls a breaker or a checking helper."""
        by_position: dict[tuple[int, int], list[CallSite]] = {}
        for site in self.cg.sites.get(q, ()):
            by_position.setdefault((site.line, site.column), []).append(site)

        def check(call: ast.Call) -> bool:
            return any(self.is_breaker_site(s) and self._runs_now(s)
                       for s in by_position.get((call.lineno, call.col_offset + 1), ()))
        return check

    def _runs_now(self, site: CallSite) -> bool:
        """SITE's check runs where it is written: calling an `async def` breaker (or checking helper)
        only makes a coroutine, which checks nothing unless it is awaited there (a coroutine handed
        to `gather` beside the sink runs alongside it, not before)."""
        checks = [t for t in site.targets if t in self.breakers or t in self.checking]
        if not checks or not all(isinstance(self.function_ast(t), ast.AsyncFunctionDef) for t in checks):
            return True
        awaited = self._awaited.get(site.caller)
        if awaited is None:
            func = self.function_ast(site.caller)
            awaited = self._awaited[site.caller] = {
                (n.value.lineno, n.value.col_offset + 1) for n in ast.walk(func or ast.Module(body=[], type_ignores=[]))
                if isinstance(n, ast.Await) and isinstance(n.value, ast.Call)}
        return (site.line, site.column) in awaited

    def function_ast(self, q: str) -> ast.AST | None:
        module, _, entry = self.cg.index.defs[q]
        path = self.cg.paths.get(module)
        trees = self._trees
        if path not in trees:
            try:
                trees[path] = ast.parse(self.sources[path]) if path in self.sources else None
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                trees[path] = None
        tree = trees[path]
        return find_function(tree, entry["line"], q.rpartition(".")[2]) if tree is not None else None

    def protected(self, site: CallSite) -> bool:
        """A breaker runs before SITE on every path through its function: its function is guarded by a
        breaker decorator, a breaker call comes earlier in the same block (or encloses it), or every
        path into its statement passes one (`try: check() except Refused: return`)."""
        if site.caller in self.guarded_functions:
            return True
        breakers = [b for b in self.cg.sites.get(site.caller, ()) if self.is_breaker_site(b) and self._runs_now(b)]
        if any(_dominates(b, site) for b in breakers):
            return True
        if not breakers or self.cg.index.kind(site.caller) != "function":
            return False
        found = self._protected.get(id(site))
        if found is None:
            func = self.function_ast(site.caller)
            found = self._protected[id(site)] = func is not None and checked_before(
                func, self._check_in(site.caller), site.line, site.column - 1)
        return found

    def sink_sites(self) -> list[tuple[CallSite, str]]:
        out = []
        for sites in self.cg.sites.values():
            for s in sites:
                sink = self.is_sink_site(s) or next(  # or a decorated sink, through its wrapper
                    (w[0] for nxt, _ in self._next(s, None) for w in [self._decorated_sink(nxt, True)] if w), None)
                if sink and s.caller not in self.sinks and id(s) not in self.wrappers.closure.get(s.caller, {}):
                    out.append((s, sink))
        return out

    def called(self, roots: list[str]) -> dict[str, str | None]:
        """Functions some chain of call sites from ROOTS calls, breakers or not (references such as
        imports do not call), wrappers followed in the context of the call that entered them; each
        with the function whose call first reached it (None for a root), for `call_route`."""
        parent: dict[State, State | None] = {(r, None): None for r in roots}
        queue: deque[State] = deque(sorted(parent, key=lambda s: s[0]))
        defs = self.cg.index.defs
        while queue:
            state = queue.popleft()
            for site in self.cg.sites.get(state[0], ()):
                for nxt, _ in self._next(site, state[1]):
                    if nxt not in parent and nxt[0] in defs:
                        parent[nxt] = state
                        queue.append(nxt)
        found: dict[str, str | None] = {}
        for state, p in parent.items():
            found.setdefault(state[0], p[0] if p else None)
        return found

    @staticmethod
    def call_route(called: dict[str, str | None], fn: str) -> list[str]:
        """The chain of calls from a root to FN that `called` found first."""
        route = [fn]
        while called.get(route[-1]) is not None and len(route) <= len(called):
            route.append(called[route[-1]])
        return route[::-1]

    def unguarded(self, roots: list[str]) -> list[UnguardedSink]:
        """BFS from the roots along call sites no breaker dominates, wrappers followed in the context of
        the call that entered them, and methods in the class of the object they run on where the call
        says it (`view.dispatch()` on a TicketView: its `super().dispatch()` and `self.post()` follow
        TicketView's MRO, not every class's); report the sinks it reaches. A decorated sink (a wrapper
        whose closure call runs the sink, unguarded, in the context a call gives it) is reported where
        it is called, once per call."""
        parent: dict[tuple, tuple[tuple, CallSite, bool] | None] = {}
        queue: deque[tuple] = deque()
        for r in roots:
            if (r, None, None) not in parent:
                parent[(r, None, None)] = None
                queue.append((r, None, None))
        found: dict[tuple[str, int, str], UnguardedSink] = {}

        def report(site: CallSite, sink: str, state: tuple, may: bool) -> None:
            path, states = self._path(parent, state)
            may = may or any(p[2] for p in (parent.get(s) for s in states) if p)
            found.setdefault((site.module, site.index, sink), UnguardedSink(site, sink, path, may))
        defs = self.cg.index.defs
        while queue:
            state = queue.popleft()
            fn, ctx, receiver = state
            if fn in self.guarded_functions or fn in self.sinks:
                continue
            # a wrapper whose closure call runs a sink was reported where it was called
            reported = parent[state] is not None and self._decorated_sink((fn, ctx)) is not None
            for site in self.cg.sites.get(fn, ()):
                if self.protected(site) or self.stopped is not None and self.stopped(site):
                    continue
                on_self = self._on_self(site, receiver)
                sink = self.is_sink_site(site, ctx)
                if sink and (on_self is None or sink in on_self):
                    if not (reported and id(site) in self.wrappers.closure.get(fn, {})):
                        targets = self.wrappers.targets(site, ctx)  # (a sink whichever runs: certain)
                        report(site, sink, state, targets[sink] and not self.sinks.issuperset(targets))
                    continue
                receivers = self._receivers(site) if on_self is None else None
                for (t, t_ctx), may in self._next(site, ctx):
                    if on_self is not None and t not in on_self:
                        continue  # another class's method: not what self's class runs here
                    wrapped = self._decorated_sink((t, t_ctx)) if (t, t_ctx) != (fn, ctx) else None
                    if wrapped is not None:
                        report(site, wrapped[0], state, may or wrapped[1])
                    owner = t.rpartition(".")[0]
                    if on_self is not None:
                        nexts = [(t, t_ctx, receiver)]  # self runs on: the same object
                    else:
                        mine = [c for c in receivers or () if owner in self.cg.index.mro(c)
                                and self._runs_on(site, c) in (None, t)]
                        nexts = [(t, t_ctx, c) for c in mine] or [(t, t_ctx, None)]
                    for nxt in nexts:
                        if nxt not in parent and t in defs:
                            parent[nxt] = (state, site, may)
                            queue.append(nxt)
        return sorted(found.values(), key=lambda u: (u.site.path, u.site.line, u.site.column))

    def _on_self(self, site: CallSite, receiver: str | None) -> dict[str, bool] | None:
        """SITE's targets when it calls a method on `self` (or `super()`) and self is an instance of class
        RECEIVER: the one method RECEIVER's MRO gives; None when that does not narrow them."""
        if receiver is None:
            return None
        idx = self.cg.index
        callee = self.wrappers.call(site).callee
        if callee[0] == Tag.FIRST:  # a name straight-line code bound: to what, when known
            callee = callee[1] if callee[1][0] == Tag.GETATTR else written(callee)
        if callee[0] in (Tag.NAME, Tag.GETATTR):
            return self._looked_up_on_self(site, callee, receiver)
        if callee[0] != Tag.ATTR:
            return None
        obj, name = callee[1], callee[2]
        mro = idx.mro(receiver)
        if obj[0] == Tag.SUPER:
            owner = qualify(site.module, obj[1]) if obj[1] else None
            if owner not in mro:
                return None
            mro = mro[mro.index(owner) + 1:]
        else:
            entry = idx.summaries[site.module]["scopes"].get(site.scope, {})
            params = entry.get("params") or ()
            if not entry.get("method") or not params or obj != (Tag.NAME, params[0]):
                return None
        for c in mro:
            q = f"{c}.{name}"
            if idx.kind(q) == "function":
                return {q: site.targets[q]} if q in site.targets else None
        return None

    def _looked_up_on_self(self, site: CallSite, callee: tuple, receiver: str) -> dict[str, bool] | None:
        """SITE's targets when it calls a member of `self` looked up by a computed name (`getattr(self,
        name)(...)`, or a local bound only to members of self: `handler = getattr(self, method)`) and
        self is an instance of class RECEIVER: those of RECEIVER's MRO; None when that does not narrow."""
        idx = self.cg.index
        entry = idx.summaries[site.module]["scopes"].get(site.scope, {})
        params = entry.get("params") or ()
        if not entry.get("method") or not params:
            return None
        me = (Tag.NAME, params[0])
        bound = [callee] if callee[0] == Tag.GETATTR else entry["names"].get(callee[1], ())
        if not bound or any(b[0] not in (Tag.GETATTR, Tag.ATTR) or b[1] != me for b in bound) or callee[1] in params:
            return None  # (`handler = self.http_method_not_allowed` is a member of self too)
        mro = set(idx.mro(receiver))
        return {t: may for t, may in site.targets.items() if t.rpartition(".")[0] in mro or t not in idx.defs}

    def _runs_on(self, site: CallSite, cls: str) -> str | None:
        """The method SITE's `obj.name(...)` runs on an instance of CLS (the first on its MRO), if any."""
        callee = self.wrappers.call(site).callee
        if callee[0] != Tag.ATTR:
            return None
        idx = self.cg.index
        return next((f"{c}.{callee[2]}" for c in idx.mro(cls) if idx.kind(f"{c}.{callee[2]}") == "function"), None)

    def _receivers(self, site: CallSite) -> list[str] | None:
        """The classes of the objects SITE calls a method on (`view.dispatch()`), when few enough to follow
        each: its methods then run on an object of that class."""
        idx = self.cg.index
        callee = self.wrappers.call(site).callee
        if callee[0] != Tag.ATTR:
            return None
        found = sorted({v[1] for v in idx.resolve(site.module, site.scope, callee[1]) if v[0] == "inst"})
        return found if 0 < len(found) <= MAX_RECEIVERS else None

    def _decorated_sink(self, state: State, checked: bool = False) -> tuple[str, bool] | None:
        """(sink, may) when STATE is a wrapper whose closure call runs a sink in STATE's context with no
        breaker before it in the wrapper (CHECKED: breaker or not)."""
        fn, ctx = state
        if fn in self.guarded_functions and not checked:
            return None
        closure = self.wrappers.closure.get(fn, {})
        for site in self.cg.sites.get(fn, ()):
            if id(site) in closure and (checked or not self.protected(site)):
                sink = self.is_sink_site(site, ctx)
                if sink:
                    return sink, self.wrappers.targets(site, ctx)[sink]
        return None

    @staticmethod
    def _path(parent, state: State) -> tuple[list[tuple[str, CallSite | None]], list[State]]:
        """The BFS path to STATE: (function, the call site that entered it) per step, and the states."""
        chain: list[tuple[str, CallSite | None]] = []
        states: list[State] = []
        node = state
        while True:
            p = parent.get(node)
            chain.append((node[0], p[1] if p else None))
            states.append(node)
            if p is None:
                break
            node = p[0]
        return chain[::-1], states[::-1]
