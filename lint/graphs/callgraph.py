"""The interprocedural call graph, built with networkx from the project index.

Nodes are qualified names (PyCG style: `pkg.mod`, `pkg.mod.Class.method`, `pkg.mod.f.<lambda1>`,
`<builtin>.len`, external dotted names). Edge attribute `kind` is "call" (resolved exactly; an
import runs the imported module, so it calls it), "may" (a sound over-approximation: dispatch by
computed name, an override in a subclass, a callback handed to code outside the project) or "ref"
(a function used as a value, which keeps it alive without calling it). Edges Python does not make
at a call site (a module to what an outside decorator registers, a `from` import's reference to
what it imports) carry `implicit=True`. A base method has no edge to its overrides: a call reaches
an override only where its receiver may be a subclass instance (annotated, or `self` no caller
binds), never from an exact `Base()`. Every call site is kept in `sites` so rules can reason per
call.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable, Iterable

import networkx as nx

from knightwatch.graphs.handoffs import HANDOFF_ONLY, HANDOFFS
from knightwatch.graphs.index import DUNDER_FALLBACK, PASSTHROUGH_DECORATORS, Index, Values, qualify
from knightwatch.source.schema import Call, Tag, callee_name, mentions, written

PARAM_ROUNDS = 4
IMPLICIT_DUNDERS = frozenset({"__str__", "__repr__", "__eq__", "__hash__", "__lt__", "__le__", "__gt__", "__ge__",
                              "__ne__", "__len__", "__iter__", "__next__", "__contains__", "__bool__", "__del__",
                              "__enter__", "__exit__", "__getitem__", "__setitem__", "__delitem__", "__getattr__",
                              "__setattr__", "__post_init__", "__init_subclass__", "__class_getitem__", "__format__",
                              "__aenter__", "__aexit__", "__await__", "__aiter__", "__anext__", "__new__",
                              "__set_name__", "__get__", "__set__", "__missing__", "__reduce__", "__getstate__",
                              "__setstate__", "__copy__", "__deepcopy__", "__call__", "__index__", "__int__",
                              "__float__", "__fspath__", "__add__", "__sub__", "__mul__", "__truediv__", "__mod__",
                              "__or__", "__and__", "__xor__", "__neg__", "__pos__", "__abs__", "__invert__",
                              "__radd__", "__rsub__", "__rmul__", "__iadd__", "__init__"})
#: protocol methods that make no new array (`_array_callbacks`)
SCALAR_DUNDERS = frozenset({"__bool__", "__len__", "__float__", "__int__", "__index__", "__str__", "__repr__",
                            "__format__", "__hash__", "__iter__", "__next__", "__contains__", "__setitem__",
                            "__delitem__", "__enter__", "__exit__", "__init__", "__new__", "__array_finalize__"})
#: builtins that call the functions handed to them
CALLING_BUILTINS = frozenset({"<builtin>.map", "<builtin>.filter", "<builtin>.sorted", "<builtin>.min",
                              "<builtin>.max", "<builtin>.iter"})
#: builtins that call their `key=` function with each element of their first argument
KEY_BUILTINS = frozenset({"sorted", "min", "max"})
#: code outside the project that takes a function without calling it
NON_CALLING_EXTERNALS = ("functools.wraps", "functools.update_wrapper", "functools.partial", "typing.", "inspect.",
                         "weakref.")
#: methods only ever called on an exact class (`Cls()`, `super().__init__()`, `Base.__init__(self)`):
#: a base's constructor never dispatches to a subclass's
CONSTRUCTORS = frozenset({"__init__", "__new__"})
#: value kinds (a literal box by its expression's tag) whose methods are builtin: PyCG's name, the type
BUILTIN_TYPES: dict[str, tuple[str, type]] = {"str": ("PyStr", str), Tag.DICT: ("PyDict", dict)}
RANK = {"call": 0, "may": 1, "ref": 2}
#: how many modules (or parameter-flow sites) the build goes through between two looks at `stop`
STOP_EVERY = 256
#: where in the summaries an edge was made, for its line: (list, module, index) for an entry of
#: `calls`, `name_loads`, `attr_loads` or `attr_stores`, ("scopes", module, scope) for a scope's
#: first line, or a line number
Where = tuple | int
#: kinds of value whose use as a value keeps a node alive (a "ref" edge)
REFERABLE = frozenset({"def", "mod", "inst"})


@dataclass(slots=True)
class CallSite:
    """One call in the source, with what it may call. `pos`/`cond` locate it for dominance checks."""

    caller: str  # qualified name of the enclosing scope (class bodies count as their function/module)
    scope: str  # local scope name within the module
    module: str
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    cond: bool
    pos: tuple[int, ...]
    index: int
    targets: dict[str, bool] = field(default_factory=dict)  # qname -> may


class Stopped(Exception):
    """A build given up because its caller said it no longer wants it."""


#: methods that keep a function to call it later, whatever object they are called on (`stack.callback(f)`,
#: `loop.call_soon(f)`, `future.add_done_callback(f)`, `signal.connect(f)`): a function handed to one is
#: called, even where the analysis knows nothing of the object
CALLBACK_REGISTRARS = frozenset({"callback", "push", "call_soon", "call_soon_threadsafe", "call_later", "call_at",
                                 "add_done_callback", "submit", "run_in_executor", "connect", "subscribe",
                                 "add_listener", "add_handler", "add_callback", "register", "schedule",
                                 "map", "imap", "imap_unordered", "apply_async", "to_thread", "enter", "enterabs",
                                 "finalize", "start_new_thread", "reduce"})
def _calls_callbacks(target: str) -> bool:
    if target.startswith("<builtin>."):
        return target in CALLING_BUILTINS
    return not target.startswith(NON_CALLING_EXTERNALS)


def _unpacked(packed: tuple | None) -> list:
    """The arguments an argument tuple expression PACKED holds (`args=(a, b)`); `*packed` when unknown."""
    if packed is None:
        return []
    if packed[0] == Tag.LIST and len(packed) == 2:
        return list(packed[1])
    return [(Tag.STARRED, packed)]


def _unpacked_keywords(named: tuple | None) -> dict:
    """The keyword arguments a dict expression NAMED holds (`kwargs={"k": v}`); `**named` when unknown."""
    if named is None:
        return {}
    if named[0] == Tag.DICT and all(k[0] == Tag.STR for k, _ in named[1]):
        return {k[1]: a for k, a in named[1]}
    return {"**0": named}


class CallGraph:
    """`graph` (networkx DiGraph) plus call sites per caller and per file."""

    __deletable__ = ["_flow", "_edges", "_nodes", "_self_names"]  # for mypyc: `build` drops them when done

    def __init__(self, index: Index, paths: dict[str, str]):
        self.index = index
        self.paths = paths  # module -> relpath
        self.graph = nx.DiGraph()
        self.sites: dict[str, list[CallSite]] = defaultdict(list)  # caller -> sites
        self.sites_by_module: dict[str, list[CallSite]] = defaultdict(list)
        self._property_names = {q.rpartition(".")[2] for q in index.defs
                                if index.kind(q) == "function" and index.method_kind(q) == "property"}
        #: what the parameter-flow rounds do, in order (a site is its index here): bind every call, and
        #: every use of an attribute named like a property, module by module. The methods are kept
        #: unbound: bound ones would make a reference cycle that holds the whole analysis until the
        #: garbage collector runs (at exit, where it costs seconds on a large project).
        self._flow = self._flow_of(index.summaries)
        self._shapes: dict[str, tuple] = {}
        self._callers: dict[tuple[str, str], str] = {}
        self._edges: dict[tuple[str, str], dict] = {}  # made while building
        #: edge -> where it was made, in order (the source of its `lines`, kept so that `rebase` can
        #: find them again after an edit that moved code)
        self.line_sources: dict[tuple[str, str], list[Where]] = {}
        self._nodes: set[str] = set()  # the graph's nodes, while building (cheaper to test than the graph)
        self._self_names: dict[tuple[str, str], tuple | None] = {}  # method scope -> `("n", "self")`

    def _flow_of(self, summaries: dict[str, dict]) -> list[tuple[Callable[..., bool], tuple]]:
        flow: list[tuple[Callable[..., bool], tuple]] = []
        for module, summary in summaries.items():
            flow += [(CallGraph._bind_call, (module, call)) for call in summary["calls"]]
            flow += [(CallGraph._bind_property, (module, scope, expr)) for key in ("attr_loads", "attr_stores")
                     for scope, expr, _ in summary.get(key, ()) if expr[2] in self._property_names]
        return flow

    # ---- targets ------------------------------------------------------------------------------
    def targets(self, values: Values) -> dict[str, bool]:
        """Map the values a callee expression may have to the functions a call runs."""
        out: dict[str, bool] = {}
        for v, may in values.items():
            if v[0] == "ext":
                names = [v[1]]
            elif v[0] == "bi":
                names = [f"<builtin>.{v[1]}"]
            else:
                names = [q for q, _ in self.index.runs(v)]
            for q in names:
                if q not in out or (out[q] and not may):
                    out[q] = may
        return out

    def _site_targets(self, module: str, scope: str, call: Call) -> dict[str, bool] | None:
        """What call CALL runs; None when an implicit call (a protocol method) runs nothing of ours."""
        idx = self.index
        callee, args, kwargs, tag = call.callee, call.args, call.kwargs, call.tag
        if tag and tag.startswith("bi:") and ("bi", tag[3:]) not in idx.resolve(module, scope, (Tag.NAME, tag[3:])):
            return None  # `len` here is not the builtin
        if tag and tag != "dec" and callee[0] == Tag.ATTR and callee[2] in DUNDER_FALLBACK:
            values = idx.dunder_values(module, scope, callee)  # implicit: `if x:`, `str(x)`, `f"{x}"`
        else:
            values = idx.callee_values(module, scope, callee, decorator=tag == "dec")
        targets = self.targets(values)
        for v, may in values.items():
            if v[0] == "def" and idx.kind(v[1]) == "class" and idx.fielded(v[1]):
                for q, m in self.targets(idx.factories(v[1])).items():  # the generated __init__ calls them
                    if q in idx.defs:
                        targets.setdefault(q, m or may)
        for q in [q for q in targets if q in idx.dispatched()]:  # a generic function runs the one registered
            for impl in idx.dispatched()[q]:  # for the argument's type
                targets.setdefault(impl, True)
        if tag in ("dec", "raise"):  # a builtin decorator declares; `raise ValueError` calls nothing of ours
            return {q: may for q, may in targets.items() if not q.startswith("<builtin>.")}
        # code outside the project (or a callee nothing is known of) calls the functions handed to it;
        # of an unknown callee only lambdas are assumed called: a named function may be only kept
        unknown = not targets
        if callee[0] == Tag.ATTR and callee[2] not in SCALAR_DUNDERS:
            self._array_callbacks(module, scope, callee[1], callee[2], targets)
        if tag is not None:
            return {q: may for q, may in targets.items() if q in idx.defs} or None
        if any(q not in idx.defs for q in targets):  # an array handed to numpy or pandas
            for a in args:
                self._array_callbacks(module, scope, a[1] if a[0] == Tag.STARRED else a, "", targets)
        builtin_methods = self._builtin_methods(module, scope, callee)
        if unknown and self._builtin_super(module, callee):
            return targets  # `super().__init__(reason)` in an Exception subclass calls nothing it is given
        if unknown or any(_calls_callbacks(q) for q in targets if q not in idx.defs) or _list_sort(callee, kwargs):
            callables = ("lambda",) if unknown and callee_name(callee) not in CALLBACK_REGISTRARS else ("function", "lambda")
            for a in list(args) + list(kwargs.values()):
                for v, may in idx.resolve(module, scope, a[1] if a[0] == Tag.STARRED else a).items():
                    if v[0] == "def" and idx.kind(v[1]) in callables and v[1] not in targets:
                        targets[v[1]] = True
            if callee_name(callee) in HANDOFFS:  # `pool.submit(f, x)`, `threading.Thread(target=f)` call f
                for fn, _, _ in self._handed(module, scope, callee, args, kwargs):
                    for q, may in self.targets(idx.resolve(module, scope, fn)).items():
                        if not may and targets.get(q):
                            targets[q] = False
        targets.update(builtin_methods)
        return targets

    def _builtin_super(self, module: str, callee: tuple) -> bool:
        """CALLEE is `super().m` in a class whose bases outside the project are all builtin types."""
        idx = self.index
        if callee[0] != Tag.ATTR or callee[1][0] != Tag.SUPER:
            return False
        cls = qualify(module, callee[1][1])
        if idx.kind(cls) != "class":
            return False
        outside = [v for c in idx.mro(cls) for b in idx.entry(c).get("bases", ())
                   for v in idx.resolve(idx.defs[c][0], idx.entry(c)["parent"] or "", b)
                   if not (v[0] == "def" and v[1] in idx.defs)]
        return bool(outside) and all(v[0] == "bi" for v in outside)

    def _array_callbacks(self, module: str, scope: str, obj: tuple, method: str, targets: dict[str, bool]) -> None:
        """`arr.astype(...)`, `arr[k]`, `arr + 1`, `np.diff(arr)` on an instance of a numpy.ndarray
        subclass (OBJ; METHOD "" for an argument) run numpy, which calls the subclass's
        `__array_finalize__` on the array it makes (TARGETS gains it)."""
        idx = self.index
        for v in idx.resolve(module, scope, obj):
            if v[0] == "inst" and not (method and idx.class_member(v[1], method)):
                finalizer = idx.array_finalizer(v[1])
                if finalizer is not None:
                    targets.setdefault(finalizer, True)

    def _builtin_methods(self, module: str, scope: str, callee: tuple) -> dict[str, bool]:
        """`<**PyStr**>.join` and the like (PyCG's names) for a method called on a receiver that is
        only ever strings or only ever dicts; never a project function, so no finding changes. A
        receiver that may also be something else gets none: such a mix is what an imprecise (and
        memo-dependent) resolution looks like, and PyCG names the method only of a known literal."""
        if callee[0] != Tag.ATTR:
            return {}
        values = self.index.resolve(module, scope, callee[1])
        kinds = {self.index.boxes[v[1]][2][0] if v[0] == "box" else v[0] for v in values}
        owner = BUILTIN_TYPES.get(kinds.pop()) if len(kinds) == 1 else None
        if owner is None or not hasattr(owner[1], callee[2]):
            return {}
        return {f"<**{owner[0]}**>.{callee[2]}": any(values.values())}

    # ---- building -----------------------------------------------------------------------------
    def build(self, clear_memo: bool = False, stop: Callable[[], bool] | None = None) -> "CallGraph":
        """Learn what flows between functions, then resolve every site (with CLEAR_MEMO, from a memo
        emptied first: the same graph, if no memoised resolution missed a fact it depended on).
        STOP, asked now and then, gives the build up (`Stopped`) when it says so."""
        idx = self.index
        looks = 0

        def look() -> None:
            nonlocal looks
            looks += 1
            if stop is not None and looks % STOP_EVERY == 0 and stop():
                raise Stopped
        for q, (module, scope, entry) in idx.defs.items():
            self.graph.add_node(q, kind=entry["kind"], module=module, path=self.paths[module],
                                line=entry["line"], end=entry["end"], body=entry.get("body", entry["line"]))
        self._nodes.update(self.graph)
        idx.exported_classes()  # found once, before any resolution is under way (none is then partial)
        for round_ in range(PARAM_ROUNDS):
            learnt = self._bind_params(range(len(self._flow)) if round_ == 0 else idx.unsettled(), look)
            learnt = idx.bind_stores() or learnt
            if not learnt:
                break
            idx.reset()
        del self._flow  # (the rounds are over: their work list is not needed again)
        if clear_memo:
            idx.clear_memo()
        idx.forget_short()
        for module, summary in idx.summaries.items():
            look()
            self._sites(module, summary)
            self._references(module, summary)
            self._implicit(module, summary)
        self._lines(self._edges)
        edges = self._edges  # each record is dropped once the graph holds its copy
        self.graph.add_edges_from((a, b, edges.pop((a, b))) for a, b in list(edges))
        del self._edges, self._nodes, self._self_names
        return self

    def _lines(self, edges: dict[tuple[str, str], dict]) -> None:
        """Set the `lines` of EDGES: those of the places they were made, in order, once each."""
        summaries = self.index.summaries
        for key, data in edges.items():
            lines = data["lines"] = []
            for where in self.line_sources[key]:
                if type(where) is int:
                    line = where
                elif where[0] == "scopes":
                    line = summaries[where[1]]["scopes"][where[2]]["line"]
                else:  # a call or a load: its line is the third item
                    line = summaries[where[1]][where[0]][where[2]][2]
                if line not in lines:
                    lines.append(line)

    def rebase(self, summaries: dict[str, dict]) -> None:
        """Take the positions of everything built from SUMMARIES, which equal those it was built from
        in all but positions (`knightwatch.graphs.reuse.unplaced`): what was resolved stays; the lines and
        columns of the nodes, call sites and edges of the modules whose summary differs are read again."""
        idx = self.index
        moved = {module for module, summary in summaries.items() if idx.summaries[module] != summary}
        for module in moved:
            idx.summaries[module] = summary = summaries[module]
            for scope, entry in summary["scopes"].items():
                q = qualify(module, scope)
                idx.defs[q] = (module, scope, entry)
                self.graph.nodes[q].update(line=entry["line"], end=entry["end"], body=entry.get("body", entry["line"]))
            calls = summary["calls"]
            for site in self.sites_by_module.get(module, ()):
                call = Call(*calls[site.index])
                site.line, site.column, site.end_line, site.end_column = call.line, call.col, call.end_line, call.end_col
                site.cond, site.pos = bool(call.cond), tuple(call.pos)
        if moved:
            edges = self.graph.edges
            self._lines({key: edges[key] for key, sources in self.line_sources.items()
                         if any(type(w) is not int and w[1] in moved for w in sources)})

    def _sites(self, module: str, summary: dict) -> None:
        """MODULE's call sites with what each runs, and their edges."""
        path = self.paths[module]
        for i, row in enumerate(summary["calls"]):
            call = Call(*row)
            targets = self._site_targets(module, call.scope, call)
            if targets is None:
                continue
            scope, line, col, end_line, end_col, cond, pos = call.scope, call.line, call.col, call.end_line, \
                call.end_col, call.cond, call.pos
            caller = self.caller(module, scope)
            site = CallSite(caller, scope, module, path, line, col, end_line, end_col, bool(cond), tuple(pos), i,
                            targets)
            self.sites[caller].append(site)
            self.sites_by_module[module].append(site)
            where = ("calls", module, i)
            registered = self.index.registered()
            for target, may in targets.items():  # (the generic function, not the call, runs a registered one)
                self._edge(caller, target, "may" if may else "call", where,
                           implicit=any(g in targets for g in registered.get(target, ())))

    def caller(self, module: str, scope: str) -> str:
        """The qualified name of the code SCOPE runs in: class bodies run as part of their enclosing
        function or module."""
        key = (module, scope)
        found = self._callers.get(key)
        if found is None:
            scopes = self.index.summaries[module]["scopes"]
            code = scope
            while code and scopes[code]["kind"] == "class":
                code = scopes[code]["parent"] or ""
            found = self._callers[key] = qualify(module, code)
        return found

    def _edge(self, caller: str, target: str, kind: str, where: Where, implicit: bool = False) -> None:
        """Record an edge (added to the graph, in the order first seen, at the end of `build`) made by
        the code at WHERE (its lines are found from these places once all are known: `_lines`)."""
        if target not in self._nodes:
            self._nodes.add(target)
            self.graph.add_node(target, kind="external", module=None, path=None, line=0, end=0, body=0)
        key = (caller, target)
        data = self._edges.get(key)
        if data is None:
            self._edges[key] = {"kind": kind, "lines": [], "implicit": implicit}
            self.line_sources[key] = [where]
        else:
            if RANK[kind] < RANK[data["kind"]]:
                data["kind"] = kind
            data["implicit"] = data["implicit"] and implicit
            sources = self.line_sources[key]
            if sources[-1] != where:  # one value resolved twice to the same target, say
                sources.append(where)

    # ---- what flows between functions ---------------------------------------------------------
    def _bind_params(self, sites: Iterable[int], look: Callable[[], None]) -> bool:
        """Flow call-site arguments into parameters and receivers into `self` at SITES (in order; the
        others would teach nothing new), calling LOOK before each; True when something new was learnt."""
        changed = False
        for site in sites:
            look()
            work, args = self._flow[site]
            changed |= self.index.watch(site, work, self, *args)
        return changed

    def _bind_call(self, module: str, call: list) -> bool:
        """Flow CALL's receiver and arguments into what it runs (for `partial(f, ...)`, into f)."""
        idx = self.index
        scope, callee, _, _, _, _, _, _, args, kwargs, tag = call  # a `Call`, unpacked (the hot path)
        changed = False
        if callee_name(callee) == "partial" and args and args[0][0] != Tag.STARRED \
                and ("ext", "functools.partial") in idx.resolve(module, scope, callee):
            callee, args = args[0], args[1:]
        changed = self._bind_key(module, scope, callee, args, kwargs)
        if callee_name(callee) in HANDOFFS:
            for fn, fn_args, fn_kwargs in self._handed(module, scope, callee, args, kwargs):
                for fq, offset, first, may in idx.dispatch(module, scope, fn):
                    if idx.kind(fq) == "lambda" and HANDOFFS[callee_name(callee)][2][0] == "items":
                        continue  # `map(lambda x: ..., xs)`: on the stdlib a sixth of the graph's time, no edge
                    if first is not None:
                        changed |= idx.bind_receiver(fq, first, may)
                    changed |= self._bind_arguments(fq, offset, module, scope, fn_args, fn_kwargs)
        self_name = self._self_name(module, scope)
        if self_name is None or not mentions(callee, self_name):
            # an instance made here (not by `type(self)()` or `cls()`, whose class is whatever the
            # receiver may be: counting those would make every subclass of the receiver's class)
            for v, may in idx.resolve(module, scope, callee).items():
                if not may and v[0] == "def" and idx.kind(v[1]) == "class":
                    changed |= idx.bind_instance(v[1])
        for fq, offset, first, may in idx.dispatch(module, scope, callee, decorator=tag == "dec"):
            if first is not None:
                changed |= idx.bind_receiver(fq, first, may)
            if args or kwargs:
                changed |= self._bind_arguments(fq, offset, module, scope, args, kwargs)
        if args or kwargs:
            for v in idx.resolve(module, scope, callee):
                if v[0] == "def" and idx.kind(v[1]) == "class" and idx.fielded(v[1]) \
                        and not any(idx.class_member(v[1], name) for name in CONSTRUCTORS):
                    changed |= self._bind_fields(v[1], module, scope, args, kwargs)
        return changed

    def _handed(self, module: str, scope: str, callee: tuple, args: list,
                kwargs: dict) -> list[tuple[tuple, list, dict]]:
        """(function, its arguments, its keyword arguments) a call of CALLEE outside the project (one of
        `HANDOFFS`) calls later; none when CALLEE is the project's own function of that name."""
        name = callee_name(callee)
        values = self.index.resolve(module, scope, callee)
        if any(v[0] == "def" for v in values) or (
                name in HANDOFF_ONLY and not HANDOFF_ONLY[name] & {v[1] for v in values if v[0] == "ext"}):
            return []
        position, keyword, where = HANDOFFS[name]
        positional = list(args)
        if any(a[0] == Tag.STARRED for a in positional[:position + 1]):
            return []
        fn = positional[position] if position < len(positional) else kwargs.get(keyword)
        if fn is None:
            return []
        rest = positional[position + 1:]
        if where[0] == "rest":
            return [(fn, rest, {k: a for k, a in kwargs.items() if k != keyword})]
        if where[0] == "reduce":
            if not rest or any(a[0] == Tag.STARRED for a in rest):
                return []
            if len(rest) > 1:  # f(init, xs[0]), then f(what f returned, xs[1]), ...
                return [(fn, [(Tag.LIST, ((Tag.CALL, fn), rest[1]), 1), (Tag.ITEM, rest[0])], {})]
            first = (Tag.SUBSCRIPT, rest[0], (Tag.INT, 0))  # f(xs[0], xs[1]), f(what f returned, xs[2]), ...
            return [(fn, [(Tag.LIST, ((Tag.CALL, fn), first), 1), (Tag.ITEM, (Tag.SLICE, rest[0], 1, None))], {})]
        if where[0] == "items":
            if name == "filter" and ("bi", "filter") not in values:
                return []
            return [(fn, [(Tag.ITEM, a[1] if a[0] == Tag.STARRED else a) for a in rest], {})]
        args_at, args_kw, kwargs_at, kwargs_kw = where
        packed = positional[args_at] if args_at < len(positional) else kwargs.get(args_kw)
        named = positional[kwargs_at] if kwargs_at < len(positional) else kwargs.get(kwargs_kw)
        return [(fn, _unpacked(packed), _unpacked_keywords(named))]

    def _bind_key(self, module: str, scope: str, callee: tuple, args: list, kwargs: dict) -> bool:
        """`sorted(xs, key=f)` (`min`, `max`, `xs.sort(key=f)`) calls f with each element of xs."""
        idx = self.index
        key = kwargs.get("key")
        if key is None:
            return False
        if _list_sort(callee, kwargs):
            items = callee[1]
        elif args and args[0][0] != Tag.STARRED and KEY_BUILTINS & {v[1] for v in idx.resolve(module, scope, callee) if v[0] == "bi"}:
            items = args[0]
        else:
            return False
        changed = False
        for v in idx.resolve(module, scope, key):
            if v[0] == "def" and idx.kind(v[1]) in ("function", "lambda"):
                changed |= self._bind_arguments(v[1], 0, module, scope, [(Tag.ITEM, items)], {})
        return changed

    def _bind_fields(self, cls: str, module: str, scope: str, args: list, kwargs: dict) -> bool:
        """The generated `__init__` of dataclass-like CLS stores its arguments in the fields."""
        fields = self.index.fields(cls)
        changed = False
        for name, a in list(zip(fields, args)) + [(k, a) for k, a in kwargs.items() if k in fields]:
            if a[0] != Tag.STARRED:
                changed |= self.index.bind_field(cls, name, (module, scope, a))
        return changed

    def _bind_property(self, module: str, scope: str, expr: tuple) -> bool:
        """`obj.prop` runs the getter (or setter) of `prop` with `self` = obj."""
        idx = self.index
        changed = False
        for r in idx.resolve(module, scope, expr[1]):
            owner = r[2] if r[0] == Tag.SUPER else r
            if owner[0] == "inst":
                for v in idx.attribute(r, expr[2], 0):
                    if v[0] == "prop":
                        changed |= idx.bind_receiver(v[1], owner)
        return changed

    def _parameters(self, fq: str) -> tuple[list[str], set[str], str | None, str | None]:
        """FQ's (positional parameters, named parameters, *args name, **kwargs name)."""
        found = self._shapes.get(fq)
        if found is None:
            params = self.index.entry(fq).get("params", ())
            star = next((i for i, p in enumerate(params) if p.startswith("*")), len(params))
            found = self._shapes[fq] = (
                params[:star], {p for p in params if not p.startswith("*")},
                next((p[1:] for p in params if p.startswith("*") and p[1:2] not in ("", "*")), None),
                next((p[2:] for p in params if p.startswith("**")), None))
        return found

    def _bind_arguments(self, fq: str, offset: int, module: str, scope: str, args: list, kwargs: dict) -> bool:
        idx = self.index
        positional, names, vararg, kwarg = self._parameters(fq)
        changed = False

        def bind(name: str, expr: tuple) -> None:
            nonlocal changed
            changed |= idx.bind_param(fq, name, (module, scope, expr))

        extra = []
        for i, a in enumerate(args):
            if a[0] == Tag.STARRED:  # `f(*xs)`: forwarded to `*args` (positions are unknown from here on)
                if vararg:
                    bind(vararg, a[1])
                break
            if i + offset < len(positional):
                bind(positional[i + offset], a)
            else:
                extra.append(a)
        if extra and vararg:
            bind(vararg, (Tag.LIST, tuple(extra)))
        extra_kw = []
        for k, a in kwargs.items():
            if k.startswith("**"):  # `f(**d)`: d's keys name parameters
                for key in sorted(self._literal_keys(module, scope, a)):
                    if key in names:
                        bind(key, (Tag.SUBSCRIPT, a, (Tag.STR, key)))
                if kwarg:
                    bind(kwarg, a)
            elif k in names:
                bind(k, a)
            else:
                extra_kw.append((k, a))
        if extra_kw and kwarg:
            bind(kwarg, (Tag.DICT, tuple(extra_kw)))
        return changed

    def _literal_keys(self, module: str, scope: str, expr: tuple) -> set[str]:
        idx = self.index
        keys: set[str] = set()
        for v in idx.resolve(module, scope, expr):
            if v[0] == "box" and idx.boxes[v[1]][2][0] == Tag.DICT:
                keys.update(k for k, _ in idx.boxes[v[1]][2][1])
        return keys

    # ---- references, imports and implicit edges ------------------------------------------------
    def _references(self, module: str, summary: dict) -> None:
        """Functions used as values (callbacks, table entries), properties read and set, modules imported."""
        idx = self.index
        for i, (scope, name, _) in enumerate(summary.get("name_loads", ())):
            for v in idx.resolve(module, scope, (Tag.NAME, name)):
                self._ref(module, scope, v, ("name_loads", module, i))
        for i, (scope, expr, _) in enumerate(summary.get("attr_loads", ())):
            where: Where = ("attr_loads", module, i)
            for v, may in idx.resolve(module, scope, expr).items():
                if v[0] == "prop":
                    self._edge(self.caller(module, scope), v[1], "may" if may else "call", where)
                else:
                    self._ref(module, scope, v, where)
            if expr[1] == self._self_name(module, scope):
                for v in self._as_written(module, scope, expr[2]):
                    self._ref(module, scope, v, where)
        for i, (scope, expr, _) in enumerate(summary.get("attr_stores", ())):
            if expr[2] in self._property_names:
                for r in idx.resolve(module, scope, expr[1]):
                    for v, may in idx.attribute(r, expr[2], 0).items():
                        if v[0] == "prop":
                            self._edge(self.caller(module, scope), v[1],
                                       "may" if may else "call", ("attr_stores", module, i))
        for scope, entry in summary["scopes"].items():
            caller = self.caller(module, scope)
            where = ("scopes", module, scope)
            for sub in entry.get("submodules", ()):
                self._import(module, caller, sub, where)
            for name, exprs in entry["names"].items():
                for e in exprs:
                    if e[0] == Tag.IMPORT:
                        self._import(module, caller, e[1], where)
                    elif e[0] == Tag.FROM:
                        self._import(module, caller, f"{e[1]}.{e[2]}" if e[1] else e[2], where)
                        for v in idx.resolve(module, scope, e):  # (no use by itself: implicit)
                            self._ref(module, scope, v, where, implicit=True)
        for star in summary["star_imports"]:
            self._import(module, module, star, 1)

    def _self_name(self, module: str, scope: str) -> tuple | None:
        """`("n", name)` of SCOPE's first parameter if SCOPE is a method, else None."""
        key = (module, scope)
        if key not in self._self_names:
            entry = self.index.summaries[module]["scopes"][scope]
            params = entry.get("params")
            self._self_names[key] = (Tag.NAME, params[0]) if entry.get("method") and params else None
        return self._self_names[key]

    def _as_written(self, module: str, scope: str, attr: str) -> Values:
        """`self.ATTR` in method SCOPE as a reader sees it: the member of the method's own class, even
        when the instances it runs on find an override first (the base method stays referenced)."""
        out: Values = {}
        for v in self.index.own_class(qualify(module, scope)):
            out.update(self.index.attribute(v, attr, 0))
        return out

    def _import(self, module: str, caller: str, dotted: str, where: Where) -> None:
        """Importing `a.b.c` runs the project modules a, a.b and a.b.c (all but MODULE's own packages)."""
        parts = dotted.split(".")
        for i in range(1, len(parts) + 1):
            name = ".".join(parts[:i])
            if name in self.index.modules and name != module and not module.startswith(name + "."):
                self._edge(caller, name, "call", where)

    def _ref(self, module: str, scope: str, v: tuple, where: Where, implicit: bool = False) -> None:
        if v[0] in REFERABLE and v[1] in self._nodes:
            self._edge(self.caller(module, scope), v[1], "ref", where, implicit)

    def dependencies(self, q: str) -> list[str]:
        """The functions a framework calls before function Q, each handing Q what it returns
        (`qty: int = Depends(checked_qty)`)."""
        idx = self.index
        module, _, entry = idx.defs[q]
        return [v[1] for d in entry.get("depends", ()) for v in idx.resolve(module, entry["parent"] or "", d)
                if v[0] == "def" and idx.kind(v[1]) == "function"]

    def _implicit(self, module: str, summary: dict) -> None:
        """Edges Python adds by itself: class -> its protocol methods, module -> functions registered
        by a decorator from outside the project, code -> the lambdas written in it."""
        idx = self.index
        for scope, entry in summary["scopes"].items():
            q = qualify(module, scope)
            kind = entry["kind"]
            where = ("scopes", module, scope)
            if kind == "class":
                for name, exprs in entry["names"].items():
                    member = f"{q}.{name}"
                    if idx.kind(member) != "function":
                        continue
                    if name in IMPLICIT_DUNDERS:  # (a property is reached where it is read)
                        self._edge(q, member, "ref", where)
                for base in idx.bases(q):
                    self._edge(q, base, "ref", where)
                finalizer = idx.array_finalizer(q)
                if finalizer is not None and idx.kind(f"{q}.__new__") == "function":  # `....view(cls)`
                    self._edge(f"{q}.__new__", finalizer, "may", where)
            elif kind == "function" and entry.get("decorators"):
                parent = self.caller(module, entry["parent"] or "")
                for generic in idx.registered().get(q, ()):  # `@route.register`: route may run it
                    self._edge(generic, q, "may", where)
            if kind == "function":
                for dependency in self.dependencies(q):  # the framework calls it first
                    self._edge(q, dependency, "call", where, implicit=True)
                for d in entry["decorators"] if q not in idx.registered() else ():  # (its generic runs it)
                    if not any(v[0] == "def" for v in idx.resolve(module, entry["parent"] or "", d)):
                        if _decorator_name(d) not in PASSTHROUGH_DECORATORS:
                            self._edge(parent, q, "may", where, implicit=True)
                            break
            elif kind == "lambda":  # made where it is written, as a value (called there or later)
                self._edge(self.caller(module, entry["parent"] or ""), q, "ref", where)
            if kind == "class" and entry["parent"] is not None:
                parent_q = qualify(module, entry["parent"])
                if idx.kind(parent_q) == "class":
                    self._edge(parent_q, q, "ref", where)


def _list_sort(callee: tuple, kwargs: dict) -> bool:
    """`xs.sort(key=f)`: a list's sort calls f, whatever the analysis knows of xs."""
    return callee[0] == Tag.ATTR and callee[2] == "sort" and "key" in kwargs


def _decorator_name(d: tuple) -> str:
    while d and d[0] == Tag.CALL:
        d = d[1]
    d = written(d)
    if d and d[0] == Tag.ATTR:
        return d[2]
    return d[1] if d and d[0] == Tag.NAME else ""
