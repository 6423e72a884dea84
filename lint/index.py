"""The project index: every module's summary, its definitions, and symbolic-value resolution.

`resolve(module, scope, expr)` answers "what can this expression be?" with a dict of values to a
may-flag (True when the value is only possibly meant: dispatch by a computed name, say). Values:
  ("mod", name)   a project module            ("def", qname)  a project function/class/lambda
  ("inst", qname) an instance of a class      ("ext", dotted) a name outside the project
  ("bi", name)    a builtin                   ("str", text)   a string constant
  ("box", n)      a literal dict/list whose elements `elements()` gives
  ("sup", cls, owner) the object super() returns inside class CLS
"""

from __future__ import annotations

import builtins
from collections import defaultdict
from typing import Any, Iterable

Value = tuple
Values = dict  # Value -> may (bool)

BUILTINS = frozenset(dir(builtins))
PASSTHROUGH_DECORATORS = frozenset({"property", "staticmethod", "classmethod", "abstractmethod",
                                    "cached_property", "wraps", "lru_cache", "cache", "total_ordering",
                                    "dataclass", "overload", "final", "override", "contextmanager",
                                    "asynccontextmanager", "singledispatch", "setter", "getter", "deleter"})
MAX_DEPTH = 12


def _tuplify(x: Any) -> Any:
    if isinstance(x, list):
        return tuple(_tuplify(i) for i in x)
    if isinstance(x, dict):
        return tuple((k, _tuplify(v)) for k, v in x.items())
    return x


def qualify(module: str, scope: str) -> str:
    return f"{module}.{scope}" if scope else module


def _merge(into: Values, new: Values, may: bool = False) -> None:
    for v, m in new.items():
        m = m or may
        if v not in into or (into[v] and not m):
            into[v] = m


class Index:
    """All summaries of a project, with symbol resolution across modules."""

    def __init__(self, summaries: dict[str, dict]):
        self.summaries = summaries  # module name -> summary
        self.defs: dict[str, tuple[str, str, dict]] = {}  # qname -> (module, scope, scope entry)
        self.by_name: dict[str, list[str]] = defaultdict(list)  # short name -> qnames
        for module, summary in summaries.items():
            for scope, entry in summary["scopes"].items():
                for key in ("names", "attrs"):
                    if key in entry:
                        entry[key] = {k: [_tuplify(e) for e in v] for k, v in entry[key].items()}
                for key in ("bases", "decorators", "returns"):
                    if key in entry:
                        entry[key] = [_tuplify(e) for e in entry[key]]
                for key in ("ann", "defaults"):
                    if key in entry:
                        entry[key] = {k: _tuplify(v) for k, v in entry[key].items()}
                q = qualify(module, scope)
                self.defs[q] = (module, scope, entry)
            for call in summary["calls"]:
                call[1] = _tuplify(call[1])
                call[8] = [_tuplify(a) for a in call[8]]
                call[9] = {k: _tuplify(v) for k, v in call[9].items()}
            for load in summary.get("attr_loads", ()):
                load[1] = _tuplify(load[1])
                self.by_name[scope.rpartition(".")[2] or module.rpartition(".")[2]].append(q)
        self.modules = frozenset(summaries)
        self.param_values: dict[tuple[str, str], set] = defaultdict(set)
        self.boxes: list[tuple[str, str, tuple]] = []
        self._box_ids: dict[tuple, int] = {}
        self._memo: dict[tuple, Values] = {}
        self._active: set[tuple] = set()
        self._subclasses: dict[str, set[str]] | None = None
        self._mro: dict[str, list[str]] = {}

    # ---- definitions ------------------------------------------------------------------------------
    def kind(self, qname: str) -> str | None:
        d = self.defs.get(qname)
        return d[2]["kind"] if d else None

    def entry(self, qname: str) -> dict:
        return self.defs[qname][2]

    def decorator_names(self, qname: str) -> list[str]:
        names = []
        for d in self.entry(qname).get("decorators", ()):
            while d and d[0] in ("c", "a"):
                if d[0] == "a":
                    names.append(d[2])
                    break
                d = d[1]
            if d and d[0] == "n":
                names.append(d[1])
        return names

    def method_kind(self, qname: str) -> str:
        """'static', 'class', 'property' or 'instance' for methods; 'function' otherwise."""
        entry = self.entry(qname)
        if entry["kind"] != "function" or not entry.get("method"):
            return "function"
        names = self.decorator_names(qname)
        for kind in ("staticmethod", "classmethod", "property"):
            if kind in names:
                return kind.replace("method", "")
        return "instance"

    # ---- classes ----------------------------------------------------------------------------------
    def bases(self, cls: str) -> list[str]:
        module, scope, entry = self.defs[cls]
        parent = entry["parent"] or ""
        found = []
        for b in entry.get("bases", ()):
            for v in self.resolve(module, parent, b):
                if v[0] == "def" and self.kind(v[1]) == "class" and v[1] != cls:
                    found.append(v[1])
        return found

    def mro(self, cls: str) -> list[str]:
        """Linearised project bases of CLS (a simple left-to-right, depth-first, de-duplicated order)."""
        if cls in self._mro:
            return self._mro[cls]
        self._mro[cls] = [cls]  # cycle guard
        order = [cls]
        for base in self.bases(cls):
            for c in self.mro(base):
                if c in order:
                    order.remove(c)
                order.append(c)
        # keep each class after all its subclasses (C3's main property) by moving shared bases last
        self._mro[cls] = order
        return order

    def subclasses(self, cls: str) -> set[str]:
        if self._subclasses is None:
            self._subclasses = defaultdict(set)
            for q, (_, _, entry) in self.defs.items():
                if entry["kind"] == "class":
                    for c in self.mro(q)[1:]:
                        self._subclasses[c].add(q)
        return self._subclasses.get(cls, set())

    def class_member(self, cls: str, attr: str, *, skip_first: bool = False) -> tuple[str, list] | None:
        """(owner class, [(local scope, expr)]) for ATTR along CLS's MRO: class body first, then self.x."""
        chain = self.mro(cls)[1:] if skip_first else self.mro(cls)
        for c in chain:
            _, scope, entry = self.defs[c]
            if attr in entry["names"]:
                return c, [(scope, e) for e in entry["names"][attr]]
        for c in chain:
            entry = self.entry(c)
            if attr in entry.get("attrs", {}):
                return c, [(method_scope, e) for method_scope, e in entry["attrs"][attr]]
        return None

    def _values_of(self, found, depth: int) -> Values:
        owner, pairs = found
        module = self.defs[owner][0]
        out: Values = {}
        for scope, e in pairs:
            _merge(out, self.resolve(module, scope, e, depth))
        return out

    # ---- boxes (literal containers) ---------------------------------------------------------------
    def _box(self, module: str, scope: str, expr: tuple) -> Value:
        key = (module, scope, expr)
        n = self._box_ids.get(key)
        if n is None:
            n = self._box_ids[key] = len(self.boxes)
            self.boxes.append(key)
        return ("box", n)

    def elements(self, box: Value, key: Values | None = None) -> Values:
        """The values held by BOX; with KEY (resolved), only the matching dict entries when known."""
        module, scope, expr = self.boxes[box[1]]
        out: Values = {}
        if expr[0] == "d":
            items = dict(expr[1])
            wanted = [k[1] for k in (key or {}) if k[0] == "str"]
            if wanted and all(w in items for w in wanted):
                for w in wanted:
                    _merge(out, self.resolve(module, scope, items[w]))
                return out
            for e in items.values():
                _merge(out, self.resolve(module, scope, e), may=key is not None and len(items) > 1)
        else:
            for e in expr[1]:
                _merge(out, self.resolve(module, scope, e))
        return out

    # ---- resolution -------------------------------------------------------------------------------
    def reset(self) -> None:
        self._memo.clear()

    def resolve(self, module: str, scope: str, expr: tuple, depth: int = 0) -> Values:
        key = (module, scope, expr)
        memo = self._memo.get(key)
        if memo is not None:
            return memo
        if key in self._active or depth > MAX_DEPTH:
            return {}
        self._active.add(key)
        try:
            out = self._resolve(module, scope, expr, depth + 1)
        finally:
            self._active.discard(key)
        self._memo[key] = out
        return out

    def _resolve(self, module: str, scope: str, expr: tuple, depth: int) -> Values:
        tag = expr[0]
        if tag == "n":
            return self.lookup(module, scope, expr[1], depth)
        if tag == "a":
            out: Values = {}
            for v, may in self.resolve(module, scope, expr[1], depth).items():
                _merge(out, self.attribute(v, expr[2], depth), may)
            return out
        if tag == "c":
            out = {}
            for v, may in self.resolve(module, scope, expr[1], depth).items():
                _merge(out, self.call_result(v, expr[1], module, scope, depth), may)
            return out
        if tag == "s":
            return {("str", expr[1]): False}
        if tag == "f":
            return {("def", qualify(module, expr[1])): False}
        if tag == "i":
            return {self.module_value(expr[1]): False}
        if tag == "m":
            return self.import_from(expr[1], expr[2], depth)
        if tag in ("d", "l"):
            if len(expr) > 2:  # `a if c else b`, `a or b`: either operand
                out = {}
                for e in expr[1]:
                    _merge(out, self.resolve(module, scope, e, depth))
                return out
            return {self._box(module, scope, expr): False}
        if tag == "x":
            out = {}
            key = self.resolve(module, scope, expr[2], depth)
            for v, may in self.resolve(module, scope, expr[1], depth).items():
                if v[0] == "box":
                    _merge(out, self.elements(v, key), may)
            return out
        if tag == "it":
            out = {}
            for v, may in self.resolve(module, scope, expr[1], depth).items():
                if v[0] == "box":
                    _merge(out, self.elements(v), may)
            return out
        if tag == "ga":
            return self.getattr_values(module, scope, expr[1], expr[2], depth)
        if tag == "g":
            key = self.resolve(module, scope, expr[1], depth)
            names = [k[1] for k in key if k[0] == "str"]
            if names:
                out = {}
                for n in names:
                    _merge(out, self.lookup(module, "", n, depth))
                return out
            return {("def", q): True for q in self._module_functions(module)}
        if tag == "sup":
            owner = self._method_class(module, scope)
            cls = qualify(module, expr[1]) if expr[1] else owner
            return {("sup", cls, owner or cls): False} if cls in self.defs else {}
        if tag == "dec":
            return self.decorated(module, scope, expr[1], expr[2], depth)
        return {}

    def _method_class(self, module: str, scope: str) -> str | None:
        s = scope
        while s:
            entry = self.summaries[module]["scopes"][s]
            parent = entry["parent"] or ""
            if entry["kind"] == "class":
                return qualify(module, s)
            s = parent
        return None

    def module_value(self, name: str) -> Value:
        return ("mod", name) if name in self.modules else ("ext", name)

    def import_from(self, base: str, name: str, depth: int) -> Values:
        sub = f"{base}.{name}" if base else name
        if sub in self.modules:
            return {("mod", sub): False}
        if base in self.modules:
            found = self.lookup(base, "", name, depth, local_only=True)
            return found
        return {("ext", sub): False}

    def lookup(self, module: str, scope: str, name: str, depth: int, local_only: bool = False) -> Values:
        """What NAME means in SCOPE of MODULE, by Python's scoping rules."""
        scopes = self.summaries[module]["scopes"]
        s: str | None = scope
        first = True
        while s is not None:
            entry = scopes[s]
            if entry["kind"] != "class" or first:
                if name in entry["names"] and name not in entry.get("globals", ()):
                    out: Values = {}
                    for e in entry["names"][name]:
                        _merge(out, self.resolve(module, s, e, depth))
                    if entry["kind"] in ("function", "lambda") and name in _plain(entry.get("params", ())):
                        _merge(out, self.param(module, s, name, depth))
                    return out
                if entry["kind"] in ("function", "lambda") and name in _plain(entry.get("params", ())):
                    return self.param(module, s, name, depth)
            first = False
            s = entry["parent"] if s else None
        summary = self.summaries[module]
        for star in summary["star_imports"]:
            if star in self.modules:
                exported = self.summaries[star]["all"]
                if (exported is None and not name.startswith("_")) or (exported and name in exported):
                    found = self.lookup(star, "", name, depth, local_only=True)
                    if found:
                        return found
            else:
                continue
        if f"{module}.{name}" in self.modules and summary.get("package"):
            return {("mod", f"{module}.{name}"): False}
        if not local_only and name in BUILTINS:
            return {("bi", name): False}
        if local_only and name == "__getattr__":
            return {}
        if local_only:
            return self._module_getattr(module, depth)
        return {}

    def _module_getattr(self, module: str, depth: int) -> Values:
        """A module-level `__getattr__` answers any missing name: its return values, may-call."""
        if "__getattr__" not in self.summaries[module]["scopes"][""]["names"]:
            return {}
        q = qualify(module, "__getattr__")
        out: Values = {}
        if self.kind(q) == "function":
            for e in self.entry(q).get("returns", ()):
                _merge(out, self.resolve(module, "__getattr__", e, depth), may=True)
        return out

    def param(self, module: str, scope: str, name: str, depth: int) -> Values:
        entry = self.summaries[module]["scopes"][scope]
        params = _plain(entry.get("params", ()))
        q = qualify(module, scope)
        out: Values = {}
        if entry.get("method") and params and params[0] == name:
            kind = self.method_kind(q)
            cls = qualify(module, entry["parent"])
            if kind == "class":
                out[("def", cls)] = False
            elif kind != "static":
                out[("inst", cls)] = False
        if name in entry.get("ann", {}):
            _merge(out, self.resolve(module, entry["parent"] or "", entry["ann"][name], depth))
        if name in entry.get("defaults", {}):
            _merge(out, self.resolve(module, entry["parent"] or "", entry["defaults"][name], depth))
        for m, s, e in self.param_values.get((q, name), ()):
            _merge(out, self.resolve(m, s, e, depth))
        return out

    def attribute(self, v: Value, attr: str, depth: int) -> Values:
        kind = v[0]
        if kind == "mod":
            sub = f"{v[1]}.{attr}"
            if sub in self.modules:
                return {("mod", sub): False}
            return self.lookup(v[1], "", attr, depth, local_only=True)
        if kind == "ext":
            return {("ext", f"{v[1]}.{attr}"): False}
        if kind == "def" and self.kind(v[1]) == "class":
            return self._member_values(v[1], attr, depth, instance=False)
        if kind == "inst":
            return self._member_values(v[1], attr, depth, instance=True)
        if kind == "sup":
            found = self.class_member(v[1], attr, skip_first=True)
            return self._values_of(found, depth) if found else {}
        if kind == "str" and attr == "value":
            return {v: False}
        if kind == "bi":
            return {("bi", f"{v[1]}.{attr}"): False}
        return {}

    def _member_values(self, cls: str, attr: str, depth: int, instance: bool) -> Values:
        found = self.class_member(cls, attr)
        out: Values = self._values_of(found, depth) if found else {}
        if instance:  # an override in a subclass may be what actually runs
            for sub in self.subclasses(cls):
                entry = self.entry(sub)
                if attr in entry["names"]:
                    module, scope, _ = self.defs[sub]
                    for e in entry["names"][attr]:
                        _merge(out, self.resolve(module, scope, e, depth), may=True)
        return out

    def call_result(self, v: Value, callee: tuple, module: str, scope: str, depth: int) -> Values:
        kind = v[0]
        if kind == "def":
            k = self.kind(v[1])
            if k == "class":
                return {("inst", v[1]): False}
            if k in ("function", "lambda"):
                m, s, entry = self.defs[v[1]]
                if entry.get("generator"):
                    return {}
                out: Values = {}
                for e in entry.get("returns", ()):
                    _merge(out, self.resolve(m, s, e, depth))
                return out
        if kind == "inst":
            found = self.class_member(v[1], "__call__")
            if found:
                out = {}
                for f in self._values_of(found, depth):
                    if f[0] == "def":
                        _merge(out, self.call_result(f, callee, module, scope, depth))
                return out
        if kind == "box" or (kind == "bi" and v[1] in ("dict", "list")):
            return {}
        if kind == "bi" and v[1].endswith((".values", ".items", ".get", ".pop", ".copy")):
            return {}
        if kind == "ext" and callee[0] == "a" and callee[2] in ("values", "items", "get", "copy", "pop"):
            return {}
        return {}

    def decorated(self, module: str, scope: str, deco: tuple, inner: tuple, depth: int) -> Values:
        """The value a decorated name is bound to: what a project decorator returns, else the def."""
        out: Values = {}
        for v, may in self.resolve(module, scope, deco, depth).items():
            if v[0] == "def" and self.kind(v[1]) in ("function", "lambda"):
                _merge(out, self.call_result(v, deco, module, scope, depth), may)
            elif v[0] == "def" and self.kind(v[1]) == "class":
                out[("inst", v[1])] = may
        if not out:
            return self.resolve(module, scope, inner, depth)
        return out

    def getattr_values(self, module: str, scope: str, obj: tuple, key: tuple, depth: int) -> Values:
        keys = self.resolve(module, scope, key, depth)
        names = [k[1] for k in keys if k[0] == "str"]
        prefix = key[1] if key[0] == "fs" else None
        out: Values = {}
        for v, may in self.resolve(module, scope, obj, depth).items():
            if names:
                for n in names:
                    _merge(out, self.attribute(v, n, depth), may or len(names) > 1)
            else:
                for n in self.member_names(v):
                    if prefix is None or n.startswith(prefix):
                        _merge(out, self.attribute(v, n, depth), True)
        return {k: m for k, m in out.items() if k[0] in ("def", "inst", "mod") or not m}

    def member_names(self, v: Value) -> Iterable[str]:
        if v[0] == "mod":
            return [n for n in self.summaries[v[1]]["scopes"][""]["names"]]
        if v[0] in ("inst", "def") and self.kind(v[1]) == "class":
            names: set[str] = set()
            for c in self.mro(v[1]):
                names.update(self.entry(c)["names"])
            return sorted(names)
        return []

    def _module_functions(self, module: str) -> list[str]:
        return [qualify(module, s) for s, e in self.summaries[module]["scopes"].items()
                if e["kind"] == "function" and e["parent"] == ""]


def _plain(params: Iterable[str]) -> list[str]:
    return [p.lstrip("*") for p in params]
