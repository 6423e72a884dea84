"""The interprocedural call graph, built with networkx from the project index.

Nodes are qualified names (PyCG style: `pkg.mod`, `pkg.mod.Class.method`, `pkg.mod.f.<lambda1>`,
`<builtin>.len`, external dotted names). Edge attribute `kind` is "call" (resolved exactly),
"may" (a sound over-approximation: dispatch by computed name, an override in a subclass, a
registering decorator) or "ref" (a function used as a value or a module imported, which keeps it
alive without calling it). Every call site is kept in `sites` so rules can reason per call.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import networkx as nx

from knightwatch.index import PASSTHROUGH_DECORATORS, Index, Values, qualify

PARAM_ROUNDS = 3
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


@dataclass
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


def _code_scope(index: Index, module: str, scope: str) -> str:
    """Class bodies run as part of their enclosing function or module."""
    scopes = index.summaries[module]["scopes"]
    while scope and scopes[scope]["kind"] == "class":
        scope = scopes[scope]["parent"] or ""
    return scope


class CallGraph:
    """`graph` (networkx DiGraph) plus call sites per caller and per file."""

    def __init__(self, index: Index, paths: dict[str, str]):
        self.index = index
        self.paths = paths  # module -> relpath
        self.graph = nx.DiGraph()
        self.sites: dict[str, list[CallSite]] = defaultdict(list)  # caller -> sites
        self.sites_by_module: dict[str, list[CallSite]] = defaultdict(list)
        self._property_names = {q.rpartition(".")[2] for q in index.defs
                                if index.kind(q) == "function" and index.method_kind(q) == "property"}

    # ---- targets ------------------------------------------------------------------------------
    def targets(self, values: Values, callee: tuple) -> dict[str, bool]:
        """Map the values a callee expression may have to the functions a call runs."""
        idx = self.index
        out: dict[str, bool] = {}

        def add(q: str, may: bool) -> None:
            if q not in out or (out[q] and not may):
                out[q] = may

        for v, may in values.items():
            kind = v[0]
            if kind == "def":
                k = idx.kind(v[1])
                if k in ("function", "lambda"):
                    add(v[1], may)
                elif k == "class":
                    for name in ("__init__", "__new__"):
                        found = idx.class_member(v[1], name)
                        if found:
                            for f in idx._values_of(found, 0):
                                if f[0] == "def":
                                    add(f[1], may)
            elif kind == "inst":
                found = idx.class_member(v[1], "__call__")
                if found:
                    for f in idx._values_of(found, 0):
                        if f[0] == "def":
                            add(f[1], may)
            elif kind == "ext":
                add(v[1], may)
            elif kind == "bi":
                add(f"<builtin>.{v[1]}", may)
        return out

    # ---- building -----------------------------------------------------------------------------
    def build(self) -> "CallGraph":
        idx = self.index
        for q, (module, scope, entry) in idx.defs.items():
            self.graph.add_node(q, kind=entry["kind"], module=module, path=self.paths[module],
                                line=entry["line"], end=entry["end"], body=entry.get("body", entry["line"]))
        for _ in range(PARAM_ROUNDS):
            if not self._bind_params():
                break
            idx.reset()
        for module, summary in idx.summaries.items():
            path = self.paths[module]
            for i, call in enumerate(summary["calls"]):
                scope, callee, line, col, end_line, end_col, cond, pos = call[:8]
                callee_t = callee
                values = idx.resolve(module, scope, callee_t)
                code_scope = _code_scope(idx, module, scope)
                caller = qualify(module, code_scope)
                site = CallSite(caller, scope, module, path, line, col, end_line, end_col, bool(cond),
                                tuple(pos), i, self.targets(values, callee_t))
                if _is_dunder_call(callee) and not site.targets:
                    continue
                self.sites[caller].append(site)
                self.sites_by_module[module].append(site)
                for target, may in site.targets.items():
                    self._edge(caller, target, "may" if may else "call", line)
            self._references(module, summary)
            self._implicit(module, summary)
        return self

    def _edge(self, caller: str, target: str, kind: str, line: int) -> None:
        g = self.graph
        if target not in g:
            g.add_node(target, kind="external", module=None, path=None, line=0, end=0, body=0)
        data = g.get_edge_data(caller, target)
        rank = {"call": 0, "may": 1, "ref": 2}
        if data is None:
            g.add_edge(caller, target, kind=kind, lines=[line])
        else:
            if rank[kind] < rank[data["kind"]]:
                data["kind"] = kind
            if line not in data["lines"]:
                data["lines"].append(line)

    def _bind_params(self) -> bool:
        """Flow call-site arguments into parameters; True when something new was learnt."""
        idx = self.index
        changed = False
        for module, summary in idx.summaries.items():
            for call in summary["calls"]:
                scope, callee, args, kwargs = call[0], call[1], call[8], call[9]
                if not args and not kwargs:
                    continue
                for v, _ in idx.resolve(module, scope, callee).items():
                    for fq, offset in self._param_targets(v, callee):
                        params = [p for p in idx.entry(fq).get("params", ()) if not p.startswith("*")]
                        for i, a in enumerate(args):
                            j = i + offset
                            if j < len(params):
                                changed |= self._add_param(fq, params[j], (module, scope, a))
                        for k, a in kwargs.items():
                            if k in params:
                                changed |= self._add_param(fq, k, (module, scope, a))
        return changed

    def _add_param(self, fq: str, name: str, source: tuple) -> bool:
        bucket = self.index.param_values[(fq, name)]
        if source in bucket:
            return False
        bucket.add(source)
        return True

    def _param_targets(self, v: tuple, callee: tuple):
        idx = self.index
        if v[0] == "def":
            k = idx.kind(v[1])
            if k in ("function", "lambda"):
                mk = idx.method_kind(v[1])
                bound = mk in ("instance", "class") and callee[0] == "a"
                yield v[1], 1 if bound else 0
            elif k == "class":
                found = idx.class_member(v[1], "__init__")
                if found:
                    for f in idx._values_of(found, 0):
                        if f[0] == "def" and idx.kind(f[1]) == "function":
                            yield f[1], 1
        elif v[0] == "inst":
            found = idx.class_member(v[1], "__call__")
            if found:
                for f in idx._values_of(found, 0):
                    if f[0] == "def":
                        yield f[1], 1

    def _references(self, module: str, summary: dict) -> None:
        """Functions used as values (callbacks, table entries), properties read, modules imported."""
        idx = self.index
        for scope, name, line in summary.get("name_loads", ()):
            for v, may in idx.resolve(module, scope, ("n", name)).items():
                self._ref(module, scope, v, line)
        for scope, expr, line in summary.get("attr_loads", ()):
            expr_t = expr
            values = idx.resolve(module, scope, expr_t)
            for v, may in values.items():
                if v[0] == "def" and expr_t[2] in self._property_names and idx.method_kind(v[1]) == "property":
                    self._edge(qualify(module, _code_scope(idx, module, scope)), v[1], "may" if may else "call", line)
                else:
                    self._ref(module, scope, v, line)
        for scope, entry in summary["scopes"].items():
            for sub in entry.get("submodules", ()):
                parts = sub.split(".")
                for i in range(1, len(parts) + 1):
                    name = ".".join(parts[:i])
                    if name in idx.modules:
                        self._edge(qualify(module, _code_scope(idx, module, scope)), name, "ref", entry["line"])
            for name, exprs in entry["names"].items():
                for e in exprs:
                    if e[0] in ("i", "m"):
                        for v in idx.resolve(module, scope, e):
                            self._ref(module, scope, v, entry["line"])
                            if e[0] == "m" and e[1] in idx.modules:
                                self._edge(qualify(module, _code_scope(idx, module, scope)), e[1], "ref", entry["line"])
        for star in summary["star_imports"]:
            if star in idx.modules:
                self._edge(module, star, "ref", 1)

    def _ref(self, module: str, scope: str, v: tuple, line: int) -> None:
        if v[0] in ("def", "mod") or (v[0] == "inst"):
            target = v[1]
            if v[0] == "inst":
                target = v[1]
            if target in self.graph:
                self._edge(qualify(module, _code_scope(self.index, module, scope)), target, "ref", line)

    def _implicit(self, module: str, summary: dict) -> None:
        """Edges Python adds by itself: class -> its protocol methods, bases -> overriding methods,
        module -> functions registered by a decorator from outside the project."""
        idx = self.index
        for scope, entry in summary["scopes"].items():
            q = qualify(module, scope)
            kind = entry["kind"]
            if kind == "class":
                for name, exprs in entry["names"].items():
                    member = f"{q}.{name}"
                    if idx.kind(member) != "function":
                        continue
                    if name in IMPLICIT_DUNDERS or idx.method_kind(member) == "property":
                        self._edge(q, member, "ref", entry["line"])
                    for base in idx.mro(q)[1:]:
                        if f"{base}.{name}" in idx.defs:
                            self._edge(f"{base}.{name}", member, "may", entry["line"])
                            break
                for base in idx.bases(q):
                    self._edge(q, base, "ref", entry["line"])
            elif kind == "function" and entry.get("decorators"):
                parent = qualify(module, _code_scope(idx, module, entry["parent"] or ""))
                for d in entry["decorators"]:
                    if not any(v[0] == "def" for v in idx.resolve(module, entry["parent"] or "", d)):
                        if _decorator_name(d) not in PASSTHROUGH_DECORATORS:
                            self._edge(parent, q, "may", entry["line"])
                            break
            if kind in ("function", "class", "lambda") and entry["parent"] is not None:
                parent_q = qualify(module, entry["parent"])
                if idx.kind(parent_q) == "class":
                    self._edge(parent_q, q, "ref", entry["line"]) if kind == "class" else None


def _decorator_name(d: tuple) -> str:
    while d and d[0] == "c":
        d = d[1]
    if d and d[0] == "a":
        return d[2]
    return d[1] if d and d[0] == "n" else ""


def _is_dunder_call(callee) -> bool:
    return callee[0] == "a" and isinstance(callee[2], str) and callee[2].startswith("__") and callee[2] != "__init__"


