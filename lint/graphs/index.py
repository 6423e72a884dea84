"""The project index: every module's summary, its definitions, and symbolic-value resolution.

`resolve(module, scope, expr)` answers "what can this expression be?" with a dict of values to a
may-flag (True when the value is only possibly meant: dispatch by a computed name, say). Values:
  ("mod", name)   a project module            ("def", qname)  a project function/class/lambda
  ("inst", qname) an instance of a class      ("ext", dotted) a name outside the project
  ("bi", name)    a builtin                   ("str", text)   a string constant
  ("int", n)      an int constant             ("gen", qname)  what calling a generator function returns
  ("box", n)      a literal dict/list (plus what is stored into it later) that `elements()` gives
  ("items", n)    `box.items()`               ("prop", qname) reading this attribute runs QNAME
  ("sup", cls, self) the object super() returns inside class CLS for SELF (an "inst" or "def")
  ("ns",)         an argparse namespace: its attributes are what `set_defaults` gives anywhere

The facts that flow between functions (call arguments into parameters, receivers into `self`,
values stored into containers and onto instances) are learnt in rounds by `knightwatch.graphs.callgraph`
through `bind_*`, `dispatch` and `watch`. Every memoised resolution that consulted such a fact
("volatile") records which facts it read and which resolutions used it; `reset()` then forgets
only those that read a fact which grew in the round, and those built on them, so the next round
sees the new facts and keeps everything else. Besides the summary's expressions, `resolve` takes
`("v", value)`, a value already known: `member` memoises an object's attribute as `("a", ("v",
value), attr)`.
"""

from __future__ import annotations

import builtins
from collections import defaultdict
from typing import Any, Callable, Iterable

from knightwatch.source.schema import Tag

Value = tuple
Values = dict  # Value -> may (bool)

BUILTINS = frozenset(dir(builtins))
PASSTHROUGH_DECORATORS = frozenset({"property", "staticmethod", "classmethod", "abstractmethod",
                                    "cached_property", "wraps", "lru_cache", "cache", "total_ordering",
                                    "dataclass", "overload", "final", "override", "contextmanager",
                                    "asynccontextmanager", "singledispatch", "setter", "getter", "deleter"})
PROPERTY_DECORATORS = frozenset({"property", "cached_property", "setter", "getter", "deleter"})
MAX_DEPTH = 12
#: resolutions nested deeper than this (through containers, iteration, members) are cut short like
#: MAX_DEPTH ones, so that no input reaches Python's recursion limit
MAX_NESTING = 80
#: class decorators and external bases (last dotted part) that generate an `__init__` taking the
#: class's annotated fields in order (dataclasses, attrs, NamedTuple, pydantic, TypedDict)
FIELD_DECORATORS = frozenset({"dataclass", "define", "frozen", "mutable", "s", "attrs", "dataclass_json"})
FIELD_BASES = frozenset({"NamedTuple", "BaseModel", "TypedDict", "BaseSettings", "Struct", "SQLModel"})
#: a parameter bound to more values than this is megamorphic: only the functions and classes passed
#: to it are still tracked (strings, containers and objects from everywhere would flood the graph)
PARAM_CAP = 40
#: a parameter bound to more functions and classes than this is not followed at all: calls through it
#: are unknown (what is passed still counts as referenced where it is passed); a generic wrapper
#: called with every function of a large library would otherwise make each call through it reach
#: all of them, and cost the analysis time and memory in proportion
MEGAMORPHIC = 256
#: the dependents of a volatile resolution made or kept after the last reset (none follows)
SETTLED: frozenset = frozenset()
#: the base whose subclasses numpy calls back (`Index.array_finalizer`)
ARRAY_BASE = ("ext", "numpy.ndarray")
#: decorators that make a generic function dispatch on its argument's type to registered ones
SINGLE_DISPATCH = frozenset({"singledispatch", "singledispatchmethod"})
#: decorators that make a function a task queue's task, and the task's methods that run it
TASK_DECORATORS = frozenset({"task", "shared_task", "periodic_task", "actor"})
TASK_RUNS = frozenset({"delay", "apply_async", "send", "send_with_options"})
#: methods Python makes class methods by themselves
IMPLICIT_CLASSMETHODS = frozenset({"__init_subclass__", "__class_getitem__"})
#: what Python runs for a truth test, `str()` or a format when the class has no such method
DUNDER_FALLBACK = {"__bool__": "__len__", "__str__": "__repr__"}
#: kinds of value whose attributes take resolving (and are worth memoising)
MEMBERED = frozenset({"mod", "def", "inst", "sup"})


def qualify(module: str, scope: str) -> str:
    return f"{module}.{scope}" if scope else module


def _merge(into: Values, new: Values, may: bool = False) -> None:
    for v, m in new.items():
        m = m or may
        if v not in into or (into[v] and not m):
            into[v] = m


def _add(bucket: dict, item) -> bool:
    """Add ITEM to BUCKET (a dict used as an insertion-ordered set, for determinism); True if new."""
    if item in bucket:
        return False
    bucket[item] = None
    return True


class Index:
    """All summaries of a project, with symbol resolution across modules."""

    def __init__(self, summaries: dict[str, dict]):
        self.summaries = summaries  # module name -> summary
        self.defs: dict[str, tuple[str, str, dict]] = {}  # qname -> (module, scope, scope entry)
        self.items: list[tuple[str, str, tuple]] = []  # (module, scope, (container, key, value)) stores
        self.setattrs: list[tuple[str, str, tuple]] = []  # (module, scope, (name, attr, value)) `x.attr = v`
        for module, summary in summaries.items():
            for scope, entry in summary["scopes"].items():
                self.items += [(module, scope, item) for item in entry.get("items", ())]
                self.setattrs += [(module, scope, item) for item in entry.get("setattrs", ())]
                self.defs[qualify(module, scope)] = (module, scope, entry)
        self._kinds = {q: entry["kind"] for q, (_, _, entry) in self.defs.items()}
        self.modules = frozenset(summaries)
        self.tops = frozenset(m.partition(".")[0] for m in summaries)
        # learnt facts; dicts as insertion-ordered sets so that every run resolves in the same order
        self.param_values: dict[tuple[str, str], dict] = defaultdict(dict)  # (function, param) -> {(m, s, expr)}
        #: (method, first param) -> {receiver value: whether it only may be}
        self.bound: dict[tuple[str, str], dict] = defaultdict(dict)
        self.stores: dict[int, dict] = defaultdict(dict)  # box id -> {(module, scope, key expr, value expr)}
        self.dynamic_attrs: dict[tuple[str, str], dict] = defaultdict(dict)  # (class, attr) -> {(m, s, expr)}
        self.instantiated: dict[str, None] = {}  # classes some call in the project makes an instance of
        self.boxes: list[tuple[str, str, tuple]] = []
        self._box_ids: dict[tuple, int] = {}
        # resolutions: (values, None) where no learnt fact can change them; else (values, the resolutions
        # that used them), dropped by reset() when a fact they read changed; also those under way
        self._memo: dict[tuple, tuple[Values, Any]] = {}
        self._small: dict[tuple | None, Values] = {}  # (value, may) or None -> the one result of just that
        self._volatile = False  # the resolution under way consulted a learnt fact
        self._current: tuple | int | None = None  # the resolution (or watched site) under way
        self._readers: dict[tuple, set] = defaultdict(set)  # learnt fact -> volatile resolutions that read it
        self._changed: set[tuple] = set()  # facts learnt since the last reset()
        self._unsettled: set[int] = set()  # watched sites that read a fact which grew
        self._method_kinds: dict[str, str] = {}
        self._members: dict[tuple, tuple] = {}  # (class, attr, after) -> `_written_member`
        self._param_names: dict[tuple[str, str], list[str]] = {}
        #: item store -> (key, decorated definition) of each `@factory("key")` it registers (`registrations`)
        self._registrations: dict[tuple, list[tuple[str, str]] | None] = {}
        self._cut: dict[tuple, set] = {}  # resolutions not made for being too deep -> those that wanted them
        self._guards: set[tuple] = set()  # star imports being followed
        self._subclasses: dict[str, set[str]] | None = None
        self._implementations: dict[str, set[str]] = {}
        self._mro: dict[str, list[str]] = {}
        self._nesting = 0
        self._active: set[tuple] = set()  # resolutions under way
        self._short = False  # the resolution under way met a cut (or a result that did)
        self._redo = False
        self._partial: dict[tuple, int] = {}  # resolutions that met a cut -> the depth they were made at
        # (resolutions built on them met it too)
        self._fielded: dict[str, bool] = {}
        self._finalizers: dict[str, str | None] = {}
        self._ns_defaults: dict[str, list] | None = None
        self._exported: frozenset[str] | None = None
        self._registered: dict[str, list[str]] | None = None
        self._dispatched: dict[str, list[str]] | None = None

    # ---- definitions ------------------------------------------------------------------------------
    def kind(self, qname: str) -> str | None:
        return self._kinds.get(qname)

    def entry(self, qname: str) -> dict:
        return self.defs[qname][2]

    def decorator_names(self, qname: str) -> list[str]:
        names = []
        for d in self.entry(qname).get("decorators", ()):
            while d and d[0] in (Tag.CALL, Tag.ATTR):
                if d[0] == Tag.ATTR:
                    names.append(d[2])
                    break
                d = d[1]
            if d and d[0] == Tag.NAME:
                names.append(d[1])
        return names

    def method_kind(self, qname: str) -> str:
        """'static', 'class', 'property' or 'instance' for methods; 'function' otherwise."""
        kind = self._method_kinds.get(qname)
        if kind is None:
            kind = self._method_kinds[qname] = self._method_kind(qname)
        return kind

    def _method_kind(self, qname: str) -> str:
        entry = self.entry(qname)
        if entry["kind"] != "function" or not entry.get("method"):
            return "function"
        names = self.decorator_names(qname)
        if "staticmethod" in names:
            return "static"
        if "classmethod" in names or qname.rpartition(".")[2] in IMPLICIT_CLASSMETHODS:
            return "class"
        if PROPERTY_DECORATORS.intersection(names):
            return "property"
        return "instance"

    def params(self, module: str, scope: str) -> list[str]:
        """SCOPE's parameter names, without their stars."""
        key = (module, scope)
        found = self._param_names.get(key)
        if found is None:
            found = self._param_names[key] = _plain(self.summaries[module]["scopes"][scope].get("params", ()))
        return found

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

    def class_member(self, cls: str, attr: str, *, after: str | None = None) -> tuple[str, list] | None:
        """(owner class, [(local scope, expr)]) for ATTR along CLS's MRO (past AFTER when given, as
        super() looks): class bodies first, then `self.attr = ...` in methods, then `obj.attr = ...`."""
        key = (cls, attr, after)
        known = self._members.get(key)
        if known is None:
            known = self._members[key] = self._written_member(cls, attr, after)
        found, chain = known
        if found is not None:
            if not self.fielded(cls):
                return found
            for c in chain:  # the generated __init__ stores what it is passed
                self._read_fact(("a", c, attr))
            passed = [item for c in chain for item in self.dynamic_attrs.get((c, attr), ())]
            return (found[0], found[1] + passed) if passed else found
        for c in chain:  # `setattr` may add it later
            self._read_fact(("a", c, attr))
        for c in chain:
            if (c, attr) in self.dynamic_attrs:
                return c, list(self.dynamic_attrs[(c, attr)])
        return None

    def _written_member(self, cls: str, attr: str, after: str | None) -> tuple[tuple[str, list] | None, list[str]]:
        """(what `class_member` finds in the source, or None; the MRO it searched)."""
        chain = self.mro(cls)
        if after is not None:
            chain = chain[chain.index(after) + 1:] if after in chain else []
        for c in chain:
            module, scope, entry = self.defs[c]
            if attr in entry["names"]:
                # a class-level default (`_x: T | None = None`) is shadowed by what methods assign
                assigned = [(self.defs[o][0], s, e) for o in chain for s, e in self.entry(o).get("attrs", {}).get(attr, ())]
                return (c, [(module, scope, e) for e in entry["names"][attr]] + assigned), chain
        for c in chain:
            entry = self.entry(c)
            if attr in entry.get("attrs", {}):
                return (c, [(method_scope, e) for method_scope, e in entry["attrs"][attr]]), chain
        return None, chain

    def _values_of(self, found, depth: int) -> Values:
        owner, pairs = found
        out: Values = {}
        for pair in pairs:
            module, (scope, e) = (pair[0], pair[1:]) if len(pair) == 3 else (self.defs[owner][0], pair)
            _merge(out, _stored(self.resolve(module, scope, e, depth)))
        return out

    def fielded(self, cls: str) -> bool:
        """Whether CLS gets a generated `__init__` that stores its fields (a dataclass, a NamedTuple...)."""
        found = self._fielded.get(cls)
        if found is None:
            self._fielded[cls] = False  # cycle guard
            found = self._fielded[cls] = bool(FIELD_DECORATORS.intersection(self.decorator_names(cls))) or any(
                v[0] == "ext" and v[1].rpartition(".")[2] in FIELD_BASES
                for b in self.entry(cls).get("bases", ()) for v in self.resolve(self.defs[cls][0], self.entry(cls)["parent"] or "", b)) \
                or any(self.fielded(b) for b in self.bases(cls))
        return found

    def interface(self, cls: str) -> bool:
        """Whether CLS declares an abstract method or is a `typing.Protocol`: no instance is CLS itself."""
        module, _, entry = self.defs[cls]
        if any("abstractmethod" in self.decorator_names(f"{cls}.{name}") for name in entry["names"]
               if self.kind(f"{cls}.{name}") == "function"):
            return True
        return self._protocol(cls)

    def _protocol(self, cls: str) -> bool:
        module, _, entry = self.defs[cls]
        return any(v[0] == "ext" and v[1].rpartition(".")[2] == "Protocol"
                   for b in entry.get("bases", ()) for v in self.resolve(module, entry["parent"] or "", b))

    def implementations(self, cls: str) -> set[str]:
        """The classes whose instances run CLS's methods in its place: its subclasses and, for a
        `typing.Protocol`, the classes that define every method it declares (its implementations by
        structure, which need not subclass it)."""
        if cls not in self._implementations:
            found = set(self.subclasses(cls))
            methods = [n for n in self.entry(cls)["names"] if self.kind(f"{cls}.{n}") == "function"
                       and not (n.startswith("__") and n.endswith("__"))] if self._protocol(cls) else []
            for q, (_, _, entry) in self.defs.items() if methods else ():
                if entry["kind"] == "class" and q != cls and all(
                        any(self.kind(f"{c}.{n}") == "function" for c in self.mro(q)) for n in methods):
                    found.add(q)
            self._implementations[cls] = found
        return self._implementations[cls]

    def factories(self, cls: str) -> Values:
        """The `default_factory` callables the generated `__init__` of CLS calls, unless one is written."""
        if any(self.class_member(cls, name) for name in ("__init__", "__new__")):
            return {}
        out: Values = {}
        for c in self.mro(cls):
            module, scope, entry = self.defs[c]
            for e in entry.get("factories", ()):
                _merge(out, self.resolve(module, scope, e))
        return out

    def fields(self, cls: str) -> list[str]:
        """The parameters of CLS's generated `__init__`: its fields and its bases', bases first."""
        out: list[str] = []
        for c in reversed(self.mro(cls)):
            out += [f for f in self.entry(c).get("fields", ()) if f not in out]
        return out

    def bind_field(self, cls: str, name: str, source: tuple) -> bool:
        """Field NAME of instances of CLS may hold the value of SOURCE = (module, scope, expr)."""
        return self._learn(self.dynamic_attrs[(cls, name)], source, ("a", cls, name))

    def namespace_attribute(self, attr: str, depth: int) -> Values:
        """ATTR of an argparse namespace: what any `set_defaults(ATTR=...)` in the project gives."""
        if self._ns_defaults is None:
            self._ns_defaults = defaultdict(list)
            for module, summary in self.summaries.items():
                for scope, name, e in summary.get("ns_defaults", ()):
                    self._ns_defaults[name].append((module, scope, e))
        out: Values = {}
        for module, scope, e in self._ns_defaults.get(attr, ()):
            _merge(out, self.resolve(module, scope, e, depth))
        return out

    def _member_values(self, cls: str, attr: str, depth: int, instance: bool, after: str | None = None) -> Values:
        """ATTR of class CLS (or of an instance of it): reading a property runs its getter."""
        found = self.class_member(cls, attr, after=after)
        if not found:
            return {}
        out: Values = {}
        for v, may in self._values_of(found, depth).items():
            if instance and v[0] == "def" and self.kind(v[1]) == "function" and self.method_kind(v[1]) == "property":
                _merge(out, {("prop", v[1]): may})
                _merge(out, self.call_result(v, depth), may)
            else:
                _merge(out, {v: may})
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
        """The values held by BOX; with KEY (resolved), only the matching entries when they are known."""
        module, scope, expr = self.boxes[box[1]]
        stores = self.stores.get(box[1], ())
        self._read_fact(("s", box[1]))  # more may be stored into it
        out: Values = {}
        if expr[0] == Tag.DICT:
            items = dict(expr[1])
            wanted = _key_names(key or {})
            if wanted:
                for w in sorted(wanted & items.keys()):
                    _merge(out, self.resolve(module, scope, items[w]))
                for m, s, k, v in stores:
                    registered = self.registrations(m, s, k, v)
                    names = _key_names(self.resolve(m, s, k)) if registered is None and self.known_key(m, s, k) else set()
                    if registered is not None:  # `@algo("peg")`: what that decoration stored
                        for name, q in registered:
                            if name in wanted:
                                _merge(out, {("def", q): False})
                    elif names & wanted or not names:  # (stored under another key too: it only may be here)
                        _merge(out, self.resolve(m, s, v), may=not names or not names <= wanted)
                if out:
                    return out
            for e in items.values():
                _merge(out, self.resolve(module, scope, e), may=key is not None and len(items) > 1)
        else:
            numbers = [k[1] for k in (key or {}) if k[0] == "int"]
            if len(numbers) == 1 and not stores and -len(expr[1]) <= numbers[0] < len(expr[1]):
                return self.resolve(module, scope, expr[1][numbers[0]])
            for e in expr[1]:
                _merge(out, self.resolve(module, scope, e))
        for m, s, _, v in stores:
            _merge(out, self.resolve(m, s, v), may=key is not None)
        return out

    def registrations(self, module: str, scope: str, key: tuple, value: tuple) -> list[tuple[str, str]] | None:
        """For an item store `REGISTRY[name] = obj` in a decorator nested in a decorator factory
        (`def algo(name): def deco(obj): ...`), where NAME is the factory's parameter and OBJ the
        decorator's: (key, decorated definition) of each `@algo("key")` in the project; None when
        the store is not of that shape, or the factory is called otherwise or with a key not written
        out."""
        memo_key = (module, scope, key, value)
        if memo_key in self._registrations:
            return self._registrations[memo_key]
        self._registrations[memo_key] = None
        scopes = self.summaries[module]["scopes"]
        entry = scopes.get(scope)
        outer = entry["parent"] if entry and entry["kind"] == "function" else None
        if outer is None or scopes[outer]["kind"] != "function" or key[0] != Tag.NAME or value[0] != Tag.NAME \
                or key[1] not in self.params(module, outer) or value[1] not in self.params(module, scope) \
                or key[1] in entry["names"] or value[1] in entry["names"]:
            return None
        factory = qualify(module, outer)
        position = self.params(module, outer).index(key[1])
        found: list[tuple[str, str]] = []
        calls_of = 0  # calls of the factory, decorations' included
        for m, summary in self.summaries.items():
            if factory.rpartition(".")[2] not in summary["words"]:
                continue
            calls = summary["calls"]
            for c in calls:
                if c[10] is None and self._named_def(m, c[1]) == factory:
                    calls_of += 1
                if c[10] != "dec" or c[1][0] != Tag.CALL or self._named_def(m, c[1][1]) != factory:
                    continue
                inner = next((d for d in calls if d[10] is None and d[0] == c[0] and d[1] == c[1][1]
                              and d[2] == c[2] and d[3] == c[3]), None)
                arg = None if inner is None else inner[9].get(key[1]) if key[1] in inner[9] else \
                    inner[8][position] if len(inner[8]) > position else None
                if arg is None or arg[0] != Tag.STR or not c[8] or c[8][0][0] != Tag.DEF:
                    return None
                found.append((arg[1], qualify(m, c[8][0][1])))
        if calls_of != len(found):
            return None
        self._registrations[memo_key] = found
        return found

    def _named_def(self, module: str, expr: tuple) -> str | None:
        """The module-level definition EXPR names in MODULE by its own name or an import (`algo`,
        `registry.algo`), read from the summaries alone (no resolution, which may be under way)."""
        names = self.summaries[module]["scopes"][""]["names"]
        if expr[0] == Tag.ATTR and expr[1][0] == Tag.NAME:
            bound = names.get(expr[1][1], ())
            if len(bound) == 1 and bound[0][0] in (Tag.IMPORT, Tag.FROM):
                base = bound[0][1] if bound[0][0] == Tag.IMPORT else f"{bound[0][1]}.{bound[0][2]}"
                q = f"{base}.{expr[2]}"
                return q if q in self.defs else None
            return None
        if expr[0] != Tag.NAME:
            return None
        bound = names.get(expr[1], ())
        if len(bound) != 1:
            return None
        if bound[0][0] == Tag.DEF:
            return qualify(module, bound[0][1])
        if bound[0][0] == Tag.FROM and bound[0][1] in self.summaries:
            return self._named_def(bound[0][1], (Tag.NAME, bound[0][2]))
        return None

    def known_key(self, module: str, scope: str, expr: tuple, depth: int = 0) -> bool:
        """Whether every value key EXPR may have is one the analysis sees: a literal, or a name only
        ever bound to such (not a parameter, not `argv[1] or "alpha"`), so that a lookup by it may be
        narrowed to the entries it names."""
        tag = expr[0]
        if tag in (Tag.STR, Tag.INT):
            return True
        if depth > 4:
            return False
        if tag == Tag.FIRST:
            return self.known_key(module, scope, expr[1], depth + 1)
        if tag == Tag.LIST and len(expr) == 3:  # either of two
            return all(self.known_key(module, scope, e, depth + 1) for e in expr[1])
        if tag == Tag.ATTR:  # `Kind.FILL`: a class or module constant (an instance's may be set later)
            owners = self.resolve(module, scope, expr[1], depth)
            values = self.resolve(module, scope, expr, depth)
            return bool(values) and all(v[0] in ("str", "int") and not may for v, may in values.items()) \
                and all(o[0] in ("def", "mod") for o in owners)
        if tag == Tag.FROM and expr[1] in self.summaries:
            return self.known_key(expr[1], "", (Tag.NAME, expr[2]), depth + 1)
        if tag != Tag.NAME:
            return False
        scopes = self.summaries[module]["scopes"]
        s: str | None = scope
        while s is not None:
            entry = scopes[s]
            if s == scope or entry["kind"] != "class":
                if entry["kind"] in ("function", "lambda") and expr[1] in _plain(entry.get("params") or ()):
                    return self._known_param(module, s, expr[1], depth)
                if expr[1] in entry["names"] and expr[1] not in entry.get("globals", ()):
                    return all(self.known_key(module, s, e, depth + 1) for e in entry["names"][expr[1]])
            s = entry["parent"] if s else None
        return False

    def _known_param(self, module: str, scope: str, name: str, depth: int) -> bool:
        """Whether every call binding parameter NAME of SCOPE passes a known key (see `known_key`)."""
        q = qualify(module, scope)
        self._read_fact(("p", q, name))  # calls may bind more to it
        default = self.summaries[module]["scopes"][scope].get("defaults", {}).get(name)
        sources = self.param_values.get((q, name), ())
        return bool(sources) and not self.bound.get((q, name)) \
            and all(self.known_key(m, s, e, depth + 1) for m, s, e in sources) \
            and (default is None or self.known_key(module, scope, default, depth + 1))

    def container_method(self, box: Value, method: str, args: tuple, module: str, scope: str, depth: int) -> Values:
        """What `box.METHOD(*ARGS)` returns: entries for get/pop/setdefault, the box for copy/values."""
        if method == "items":
            return {("items", box[1]): False}
        if method in ("copy", "values"):
            return {box: False}
        key = self.resolve(module, scope, args[0], depth) if args and self.known_key(module, scope, args[0]) else {}
        out = self.elements(box, key if args else None)
        if len(args) > 1:  # the default (on a copy: `elements` may hand back a memoised resolution)
            out = dict(out)
            _merge(out, self.resolve(module, scope, args[1], depth))
        return out

    def iterate(self, v: Value, depth: int) -> Values:
        """What a `for` over V binds: elements of a box, what a generator yields, an iterator's __next__."""
        kind = v[0]
        if kind == "box":
            return self.elements(v)
        if kind == "items":
            return {("box", v[1]): False}
        if kind == "gen":
            m, s, entry = self.defs[v[1]]
            out: Values = {}
            for e in entry.get("yields", ()):
                _merge(out, self.resolve(m, s, e, depth))
            return out
        if kind == "inst":
            out = {}
            for it, may in self._member_values(v[1], "__iter__", depth, False).items():
                for r, m2 in self.call_result(it, depth).items():
                    if r[0] == "inst":
                        for nxt, m3 in self._member_values(r[1], "__next__", depth, False).items():
                            _merge(out, self.call_result(nxt, depth), may or m2 or m3)
                    elif r[0] in ("gen", "box", "items"):
                        _merge(out, self.iterate(r, depth), may or m2)
            return out
        return {}

    # ---- facts learnt between rounds ----------------------------------------------------------------
    def _read_fact(self, fact: tuple) -> None:
        """The resolution under way consults learnt FACT: it is volatile, and forgotten when FACT grows."""
        self._volatile = True
        if self._current is not None and not self._redo:
            self._readers[fact].add(self._current)

    def _learn(self, bucket: dict, item, fact: tuple) -> bool:
        """Add ITEM to the BUCKET of learnt FACT; True if it is new."""
        if not _add(bucket, item):
            return False
        self._changed.add(fact)
        return True

    def watch(self, site: int, work: Callable[..., bool], *args) -> bool:
        """WORK(*ARGS) for SITE (a number of the caller's choosing), recording what it reads, so that
        `unsettled` names SITE once something it read has changed."""
        outer, self._current = self._current, site
        try:
            return work(*args)
        finally:
            self._current = outer

    def unsettled(self) -> list[int]:
        """The watched sites that read a fact which grew before the last `reset`, in order; redoing the
        others would teach nothing."""
        found, self._unsettled = sorted(self._unsettled), set()
        return found

    def reset(self) -> None:
        """Forget the resolutions that read a fact learnt since the last reset, and those built on them;
        unsettle the watched sites that did."""
        todo = [key for fact in self._changed for key in self._readers.pop(fact, ())]
        self._changed.clear()
        while todo:
            key = todo.pop()
            if type(key) is int:
                self._unsettled.add(key)
                continue
            memo = self._memo.get(key)
            if memo is not None and memo[1] is not None:  # (a stable one read no fact since it was redone)
                del self._memo[key]
                todo.extend(memo[1])
        self._volatile = False

    def forget_short(self) -> None:
        """Forget the resolutions cut short by the depth budget (memoised while the facts were still
        growing, wherever they were first asked for), so that the final pass redoes them once."""
        for key in self._partial:
            self._memo.pop(key, None)
        self._partial.clear()
        self._redo = True  # and from now on, one asked for with a larger budget than it had is redone
        # no reset follows: which resolutions read what is no longer needed, only whether they did
        self._readers.clear()
        self._cut.clear()
        for key, (values, dependents) in self._memo.items():
            if dependents is not None:
                self._memo[key] = (values, SETTLED)

    def clear_memo(self) -> None:
        """Forget every resolution (the learnt facts stay)."""
        self._memo.clear()
        self._partial.clear()
        self._members.clear()
        self._readers.clear()
        self._cut.clear()

    def bind_stores(self) -> bool:
        """Record what is stored into containers (`d[k] = v`, `l.append(v)`) and onto objects
        (`setattr(obj, "a", v)`, `obj.a = v`); True when something new was learnt."""
        changed = False
        for module, scope, (container, key, value) in self.items:
            for v in self.resolve(module, scope, container):
                if v[0] == "box":
                    changed |= self._learn(self.stores[v[1]], (module, scope, key, value), ("s", v[1]))
        for module, scope, (name, attr, value) in self.setattrs:
            for v in self.resolve(module, scope, (Tag.NAME, name)):
                if v[0] == "inst" or (v[0] == "def" and self.kind(v[1]) == "class"):
                    changed |= self._learn(self.dynamic_attrs[(v[1], attr)], (module, scope, value), ("a", v[1], attr))
        return changed

    def bind_param(self, fq: str, name: str, source: tuple) -> bool:
        """Parameter NAME of FQ may receive the value of SOURCE = (module, scope, expr)."""
        return self._learn(self.param_values[(fq, name)], source, ("p", fq, name))

    def bind_instance(self, cls: str) -> bool:
        """Some call in the project makes an instance of class CLS."""
        return self._learn(self.instantiated, cls, ("i", cls))

    def bind_receiver(self, fq: str, value: Value, may: bool = False) -> bool:
        """Method FQ is called on VALUE (an instance, or a class for a classmethod); MAY: only
        perhaps (an instance taken from a registry by a key the analysis cannot match)."""
        module, scope, _ = self.defs[fq]
        params = self.params(module, scope)
        if not params:
            return False
        bucket = self.bound[(fq, params[0])]
        if value in bucket and (may or not bucket[value]):
            return False
        bucket[value] = may  # new, or known for certain now
        self._changed.add(("p", fq, params[0]))
        return True

    def dispatch(self, module: str, scope: str, callee: tuple,
                 decorator: bool = False) -> list[tuple[str, int, Value | None, bool]]:
        """(function, index of the first argument's parameter, value bound to the first parameter or
        None, whether that value only may be the receiver) for each function a call of CALLEE
        (applied as a DECORATOR) runs."""
        out: list = []
        if callee[0] == Tag.ATTR:
            for r, may in self.resolve(module, scope, callee[1]).items():
                for f in self.member(r, callee[2], 0):
                    if r[0] == "inst" and self._is_function(f) and self.method_kind(f[1]) == "function" \
                            and self._in_class_body(r[1], callee[2]):
                        out.append((f[1], 1, r, may))  # a decorator's wrapper as a method: the instance is its first argument
                    else:
                        out += [(*b, may) for b in self._bound(f, r)]
        elif callee[0] == Tag.GETATTR:  # `getattr(self, "visit_" + kind)(node)`: self is the receiver
            receivers = self.resolve(module, scope, callee[1])
            for f in self.resolve(module, scope, callee):
                found = [(*b, False) for r in receivers for b in self._bound(f, r) if b[2] is not None]
                out += list(dict.fromkeys(found)) or [(*b, False) for b in self._bound(f, None)]
        else:
            for f in self.callee_values(module, scope, callee, decorator):
                out += [(*b, False) for b in self._bound(f, None)]
        dispatched = self.dispatched()
        for f, offset, receiver, may in list(out):  # a generic function hands its arguments to the one registered
            out += [(g, offset, receiver, may) for g in dispatched.get(f, ())]
        return out

    def dispatched(self) -> dict[str, list[str]]:
        """`functools.singledispatch` (or `singledispatchmethod`) function -> the functions registered
        with it (`@route.register`, `@route.register(T)`): calling it runs the one for the argument's type."""
        if self._dispatched is None:
            self._dispatched = {}
            for q, generics in self.registered().items():
                for g in generics:
                    self._dispatched.setdefault(g, []).append(q)
        return self._dispatched

    def registered(self) -> dict[str, list[str]]:
        """Function -> the generic functions it is registered with (see `dispatched`)."""
        if self._registered is None:
            self._registered = {}
            for q, (module, _, entry) in self.defs.items():
                if entry["kind"] != "function":
                    continue
                for d in entry.get("decorators", ()):
                    while d and d[0] == Tag.CALL:
                        d = d[1]
                    if d and d[0] == Tag.ATTR and d[2] == "register":
                        self._registered[q] = [v[1] for v in self.resolve(module, entry["parent"] or "", d[1])
                                               if self._is_function(v)
                                               and SINGLE_DISPATCH.intersection(self.decorator_names(v[1]))]
            self._registered = {q: gs for q, gs in self._registered.items() if gs}
        return self._registered

    def array_finalizer(self, cls: str) -> str | None:
        """CLS's `__array_finalize__` when CLS subclasses `numpy.ndarray`: numpy calls it on each new
        array of CLS it makes (a view, a slice, the result of an operation or an ndarray method)."""
        if cls not in self._finalizers:
            found = None
            for c in self.mro(cls):
                m, _, entry = self.defs.get(c, ("", "", {}))
                if any(ARRAY_BASE in self.resolve(m, entry["parent"] or "", b) for b in entry.get("bases", ())):
                    found = next((f"{k}.__array_finalize__" for k in self.mro(cls)
                                  if self.kind(f"{k}.__array_finalize__") == "function"), None)
                    break
            self._finalizers[cls] = found
        return self._finalizers[cls]

    def dunder_values(self, module: str, scope: str, callee: tuple) -> Values:
        """`x.__bool__` run by a truth test (`x.__str__` by `str(x)`, a format): per object x may be,
        its own, or where its class has none, what Python runs instead (`DUNDER_FALLBACK`)."""
        _, obj, name = callee
        out: Values = {}
        for v, may in self.resolve(module, scope, obj).items():
            use = name
            if v[0] == "inst" and not self.class_member(v[1], name) and self.class_member(v[1], DUNDER_FALLBACK[name]):
                use = DUNDER_FALLBACK[name]
            _merge(out, self.member(v, use, 0), may)
        return out

    def callee_values(self, module: str, scope: str, callee: tuple, decorator: bool = False) -> Values:
        """What the CALLEE of a call is (of a decorator application, for DECORATOR)."""
        if decorator:
            return self._decorators(module, scope, callee, 0)
        return self.resolve(module, scope, callee)

    def runs(self, v: Value) -> list[tuple[str, Value | None]]:
        """(function, value bound to its first parameter) that calling V runs: a function itself, a
        class's __init__ and __new__, an instance's __call__."""
        if v[0] == "def":
            k = self.kind(v[1])
            if k in ("function", "lambda"):
                return [(v[1], None)]
            if k == "class":
                return [(f[1], ("inst", v[1]) if name == "__init__" else v)
                        for name in ("__init__", "__new__")
                        for f in self._member_values(v[1], name, 0, False) if self._is_function(f)]
        if v[0] == "inst":
            return [(f[1], v) for f in self._member_values(v[1], "__call__", 0, False) if self._is_function(f)]
        return []

    def _in_class_body(self, cls: str, attr: str) -> bool:
        """ATTR is written in the body of a class of CLS's MRO (a function there is bound to instances)."""
        return self.kind(cls) == "class" and any(attr in self.entry(c)["names"] for c in self.mro(cls))

    def _is_function(self, v: Value) -> bool:
        return v[0] == "def" and self.kind(v[1]) in ("function", "lambda")

    def _bound(self, f: Value, receiver: Value | None) -> list[tuple[str, int, Value | None]]:
        if f[0] == "def" and len(f) > 2:  # a partial: its own arguments go after the ones it binds
            return [(q, offset + f[2], first) for q, offset, first in self._bound(f[:2], receiver)]
        if not self._is_function(f):
            return [(q, 1, first) for q, first in self.runs(f)]
        mk = self.method_kind(f[1])
        if mk in ("static", "function"):
            return [(f[1], 0, None)]
        owner = receiver[2] if receiver is not None and receiver[0] == "sup" else receiver
        if owner is None or owner[0] not in ("inst", "def") or self.kind(owner[1]) != "class" \
                or self.defs[f[1]][2]["parent"] is None \
                or qualify(self.defs[f[1]][0], self.defs[f[1]][2]["parent"]) not in self.mro(owner[1]):
            return [(f[1], 1, None)]  # a bound method taken elsewhere
        if owner[0] == "def" and mk != "class":
            return [(f[1], 0, None)]  # `Class.method(obj, ...)`
        return [(f[1], 1, ("def", owner[1]) if mk == "class" else owner)]

    # ---- resolution -------------------------------------------------------------------------------
    def resolve(self, module: str, scope: str, expr: tuple, depth: int = 0) -> Values:
        key = (module, scope, expr)
        memo = self._memo.get(key)
        parent = self._current
        inherited = None  # the dependents of a short resolution being redone
        if memo is not None and key in self._partial:
            if self._redo and depth < self._partial[key] and memo[1] is not None and key not in self._active:
                del self._memo[key]  # cut short deeper down before: redone with the larger budget
                inherited, memo = memo[1], None
            else:
                self._short = True
        if memo is not None:
            dependents = memo[1]
            if dependents is not None:  # volatile, or under way (cut short: completed once KEY is)
                self._volatile = True
                if parent is not None and not self._redo:
                    dependents.add(parent)
            return memo[0]
        if depth > MAX_DEPTH or self._nesting > MAX_NESTING:  # cut short: redone once KEY, resolved elsewhere, changes
            self._volatile = self._short = True
            if parent is not None and not self._redo:
                self._cut.setdefault(key, set()).add(parent)
            return {}
        outer, self._volatile = self._volatile, False
        outer_short, self._short = self._short, False
        memo = self._memo[key] = ({}, inherited or (SETTLED if self._redo else set()))  # under way: none found yet
        self._current = key
        self._nesting += 1
        self._active.add(key)
        try:
            method = RESOLVERS.get(expr[0])  # see RESOLVERS (dispatched here: one call less a resolution)
            out = {} if method is None else method(self, module, scope, expr, depth + 1)
        except BaseException:
            del self._memo[key]
            raise
        finally:
            self._current = parent
            self._nesting -= 1
            self._active.discard(key)
        if self._short:  # something below was cut short: complete only within this depth budget
            self._partial[key] = depth
            self._volatile = True
        else:
            self._partial.pop(key, None)
        self._short = self._short or outer_short
        if len(out) < 2:  # most resolutions find one value or none: those are shared, never changed
            out = self._small.setdefault(next(iter(out.items()), None), out)
        if self._volatile:
            dependents = memo[1]
            if self._cut and key in self._cut:
                dependents |= self._cut.pop(key)
            if parent is not None and not self._redo:
                dependents.add(parent)
            self._memo[key] = (out, dependents)
        else:
            self._memo[key] = (out, None)
        self._volatile = self._volatile or outer
        return out

    def _metaclass(self, module: str, scope: str, expr: tuple, depth: int) -> Values:
        """The project metaclasses of the classes EXPR may be (or hold: the bases of `type(n, bases, ns)`),
        each the first `metaclass=` on its MRO."""
        classes: Values = {}
        for v, may in self.resolve(module, scope, expr[1], depth).items():
            _merge(classes, self.elements(v) if v[0] == "box" else {v: may}, may)
        out: Values = {}
        for v, may in classes.items():
            if v[0] != "def" or self.kind(v[1]) != "class":
                continue
            for c in self.mro(v[1]):
                m, _, entry = self.defs.get(c, ("", "", {}))
                if "metaclass" in entry:
                    found = self.resolve(m, entry["parent"] or "", entry["metaclass"], depth)
                    _merge(out, {x: mm for x, mm in found.items() if x[0] == "def" and self.kind(x[1]) == "class"}, may)
                    break
        return out

    def _first(self, module: str, scope: str, expr: tuple, depth: int) -> Values:
        _, value, fallback = expr
        return self.resolve(module, scope, value, depth) or self.resolve(module, scope, fallback, depth)

    def _name(self, module: str, scope: str, expr: tuple, depth: int) -> Values:
        _, name = expr
        return self.lookup(module, scope, name, depth)

    def _attribute(self, module: str, scope: str, expr: tuple, depth: int) -> Values:
        _, obj, attr = expr
        if obj[0] == Tag.VALUE:  # see `member`
            return self.attribute(obj[1], attr, depth)
        out: Values = {}
        for v, may in self.resolve(module, scope, obj, depth).items():
            _merge(out, self.member(v, attr, depth), may)
        return out

    def _called(self, module: str, scope: str, expr: tuple, depth: int) -> Values:
        callee = expr[1]
        out: Values = {}
        for v, may in self.resolve(module, scope, callee, depth).items():
            result = self.call_result(v, depth)
            bound = self._type_bound(module, scope, v, expr[2], depth) if len(expr) > 2 else None
            if bound:  # of what the body returns for every call, what this call's class admits
                result = {r: m for r, m in result.items() if self._fits(r, bound)}
                _merge(result, bound)
            _merge(out, result, may)
        if callee[0] == Tag.ATTR and callee[2] in ("__enter__", "__aenter__"):
            # `with cm() as x` where cm is a generator (so a @contextmanager): x is what it yields
            for v, may in self.resolve(module, scope, callee[1], depth).items():
                if v[0] == "gen":
                    _merge(out, self.iterate(v, depth), may)
        return out

    def _type_bound(self, module: str, scope: str, f: Value, arg: tuple, depth: int) -> Values:
        """For F declared `def f(cls: type[T], ...) -> T` (a method: its first parameter after self),
        an instance of the class ARG, passed as that first argument, names: what a DI container's
        `resolve(IVenue)` promises, beside what its body shows."""
        if not self._is_function(f):
            return {}
        entry = self.entry(f[1])
        rann, params = entry.get("rann"), entry.get("params", ())
        if rann is None or rann[0] != Tag.INSTANCE or rann[1][0] != Tag.NAME:
            return {}
        first = 1 if self.method_kind(f[1]) in ("instance", "class") else 0
        if len(params) <= first or entry.get("ann", {}).get(params[first]) != (Tag.CLASS, rann[1]):
            return {}
        return self.resolve(module, scope, (Tag.INSTANCE, arg), depth)

    def _fits(self, v: Value, bound: Values) -> bool:
        """V is an instance of a class in BOUND (or of a subclass), or provides every method of an
        interface (a Protocol or an ABC) in BOUND."""
        if v[0] != "inst":
            return False
        mro = self.mro(v[1])
        for b in bound:
            if b[0] == "inst" and (b[1] in mro or self.interface(b[1]) and all(
                    self.class_member(v[1], name) for name, _ in self._interface_methods(b[1]))):
                return True
        return False

    def _interface_methods(self, cls: str) -> list[tuple[str, str]]:
        """(name, qualified name) of the methods interface CLS declares (not its dunders)."""
        entry = self.entry(cls)
        return [(n, f"{cls}.{n}") for n in entry["names"]
                if not n.startswith("__") and self.kind(f"{cls}.{n}") == "function"]

    def _string(self, module: str, scope: str, expr: tuple, depth: int) -> Values:
        return {("str", expr[1]): False}

    def _integer(self, module: str, scope: str, expr: tuple, depth: int) -> Values:
        return {("int", expr[1]): False}

    def _definition(self, module: str, scope: str, expr: tuple, depth: int) -> Values:
        return {("def", qualify(module, expr[1])): False}

    def _import(self, module: str, scope: str, expr: tuple, depth: int) -> Values:
        return {self.module_value(expr[1]): False}

    def _from_import(self, module: str, scope: str, expr: tuple, depth: int) -> Values:
        _, base, name = expr
        return self.import_from(base, name, depth)

    def _literal(self, module: str, scope: str, expr: tuple, depth: int) -> Values:
        if len(expr) > 2:  # `a if c else b`, `a or b`: either operand
            out: Values = {}
            for e in expr[1]:
                _merge(out, self.resolve(module, scope, e, depth))
            return out
        return {self._box(module, scope, expr): False}

    def _subscript(self, module: str, scope: str, expr: tuple, depth: int) -> Values:
        _, obj, key_expr = expr
        out: Values = {}
        key = self.resolve(module, scope, key_expr, depth)
        for v, may in self.resolve(module, scope, obj, depth).items():
            if v[0] == "box":
                _merge(out, self.elements(v, key if self.known_key(module, scope, key_expr) else {}), may)
            elif v[0] == "inst":
                for f, m2 in self._member_values(v[1], "__getitem__", depth, False).items():
                    _merge(out, self.call_result(f, depth), may or m2)
            elif v[0] == "ns":
                for k in key:
                    if k[0] == "str":
                        _merge(out, self.namespace_attribute(k[1], depth), may)
        return out

    def _item(self, module: str, scope: str, expr: tuple, depth: int) -> Values:
        _, iterable = expr
        out: Values = {}
        for v, may in self.resolve(module, scope, iterable, depth).items():
            _merge(out, self.iterate(v, depth), may)
        return out

    def _container_method(self, module: str, scope: str, expr: tuple, depth: int) -> Values:
        _, obj, method, args = expr
        out = dict(self.resolve(module, scope, (Tag.CALL, (Tag.ATTR, obj, method)), depth))
        for v, may in self.resolve(module, scope, obj, depth).items():
            if v[0] == "box":
                _merge(out, self.container_method(v, method, args, module, scope, depth), may)
        return out

    def _getattr(self, module: str, scope: str, expr: tuple, depth: int) -> Values:
        return self.getattr_values(module, scope, expr[1], expr[2], expr[3] if len(expr) > 3 else None, depth)

    def _global(self, module: str, scope: str, expr: tuple, depth: int) -> Values:
        key = self.resolve(module, scope, expr[1], depth)
        names = [k[1] for k in key if k[0] == "str"]
        if names:
            out: Values = {}
            for n in names:
                _merge(out, self.lookup(module, "", n, depth))
            return out
        prefix = expr[1][1] if expr[1][0] == Tag.PREFIX else ""  # `globals()["handle_" + kind]`
        return {("def", q): True for q in self._module_globals(module) if q.rpartition(".")[2].startswith(prefix)}

    def _super(self, module: str, scope: str, expr: tuple, depth: int) -> Values:
        _, class_scope = expr
        return self.super_values(module, scope, class_scope, depth)

    def _annotated(self, module: str, scope: str, expr: tuple, depth: int) -> Values:
        """An instance (Tag.INSTANCE) or the class (Tag.CLASS) of the class annotated, or of any subclass
        (only a subclass for `("tc", X, "sub")`: what `X.__subclasses__()` holds)."""
        tag, cls = expr[0], expr[1]
        out: Values = {}
        for v, may in self.resolve(module, scope, cls, depth).items():
            if v[0] == "def" and self.kind(v[1]) == "class":
                opened = self._open({("inst" if tag == Tag.INSTANCE else "def", v[1]): may})
                if len(expr) > 2:
                    del opened[("def", v[1])]
                if tag == Tag.INSTANCE and len(opened) > 1 and self.interface(v[1]):
                    del opened[("inst", v[1])]  # an ABC or a Protocol is never the instance itself
                _merge(out, opened)
        return out

    def _type_of(self, module: str, scope: str, expr: tuple, depth: int) -> Values:
        out: Values = {}
        for v, may in self.resolve(module, scope, expr[1], depth).items():
            if v[0] == "inst":
                out[("def", v[1])] = may
        return out

    def _partial_of(self, module: str, scope: str, expr: tuple, depth: int) -> Values:
        """`partial(f, a, b)`: f, or a function f with 2 parameters bound, `("def", f, 2)`."""
        bound = expr[2]
        return {(*v[:2], (v[2] if len(v) > 2 else 0) + bound) if bound and v[0] == "def" else v: may
                for v, may in self.resolve(module, scope, expr[1], depth).items() if v[0] in ("def", "inst")}

    def _namespace(self, module: str, scope: str, expr: tuple, depth: int) -> Values:
        return {expr: False}

    def _slice(self, module: str, scope: str, expr: tuple, depth: int) -> Values:
        _, sequence, lo, hi = expr
        out: Values = {}
        for v, may in self.resolve(module, scope, sequence, depth).items():
            if v[0] == "box":
                self._read_fact(("s", v[1]))  # a store makes the slice unknown
            if v[0] == "box" and self.boxes[v[1]][2][0] == Tag.LIST and v[1] not in self.stores \
                    and len(self.boxes[v[1]][2][1]) > 1 \
                    and not any(e[0] == Tag.STARRED for e in self.boxes[v[1]][2][1]):
                # a literal of known length (one element may be a comprehension's: any length)
                m, s, literal = self.boxes[v[1]]
                out[self._box(m, s, (Tag.LIST, literal[1][lo:hi]))] = may
            elif v[0] == "box":
                out[v] = may
        return out

    def _decorated(self, module: str, scope: str, expr: tuple, depth: int) -> Values:
        _, decorator, inner = expr
        return self.decorated(module, scope, decorator, inner, depth)

    def _import_module(self, module: str, scope: str, expr: tuple, depth: int) -> Values:
        return self.imported_modules(module, scope, expr[1], depth)

    def imported_modules(self, module: str, scope: str, name: tuple, depth: int) -> Values:
        """The modules `importlib.import_module(NAME)` may return: the one a string names, or, for a
        name built from a constant prefix (`f"pkg.reporters.{fmt}"`), each project module under it."""
        if name[0] == Tag.PREFIX:
            prefix = name[1]
            return {("mod", m): True for m in sorted(self.modules) if prefix.endswith(".") and m.startswith(prefix)}
        return {self.module_value(v[1]): may for v, may in self.resolve(module, scope, name, depth).items()
                if v[0] == "str"}

    def super_values(self, module: str, scope: str, class_scope: str, depth: int) -> Values:
        """super() inside a method of CLASS_SCOPE: one value per object `self` (or `cls`) may be."""
        cls = qualify(module, class_scope) if class_scope else self._method_class(module, scope)
        if cls not in self.defs:
            return {}
        method = self._method_scope(module, scope)
        params = self.params(module, method) if method else []
        out: Values = {}
        if params:
            for v, may in self.lookup(module, method, params[0], depth).items():
                if v[0] in ("inst", "def") and self.kind(v[1]) == "class":
                    out[("sup", cls, v)] = may
        return out or {("sup", cls, ("inst", cls)): False}

    def _method_scope(self, module: str, scope: str) -> str | None:
        """The method (a function defined in a class body) that SCOPE is or is nested in."""
        scopes = self.summaries[module]["scopes"]
        s = scope
        while s:
            entry = scopes[s]
            if entry["kind"] == "function" and entry.get("method"):
                return s
            s = entry["parent"] or ""
        return None

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
        if base.partition(".")[0] in self.tops:
            return {}  # a project module that is not there (an optional import); nothing outside either
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
                    if entry["kind"] in ("function", "lambda") and name in self.params(module, s):
                        _merge(out, self.param(module, s, name, depth))
                    return out
                if entry["kind"] in ("function", "lambda") and name in self.params(module, s):
                    return self.param(module, s, name, depth)
            first = False
            s = entry["parent"] if s else None
        summary = self.summaries[module]
        for star in summary["star_imports"]:
            guard = ("*", star, name)  # star imports can form a cycle (`from . import *` in __init__)
            if star in self.modules and guard not in self._guards:
                exported = self.summaries[star]["all"]
                if (exported is None and not name.startswith("_")) or (exported and name in exported):
                    self._guards.add(guard)
                    try:
                        found = self.lookup(star, "", name, depth, local_only=True)
                    finally:
                        self._guards.discard(guard)
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

    def _instance_getattr(self, cls: str, attr: str, depth: int) -> Values:
        """ATTR, which instances of CLS lack, when their class's `__getattr__` delegates to an object it
        wraps (`return getattr(self._inner, name)`): it runs, and gives the inner object's ATTR. (Other
        `__getattr__`s are not followed: a miss is more often an attribute the analysis did not see set.)"""
        out: Values = {}
        for f in self._member_values(cls, "__getattr__", depth, False):
            if not self._is_function(f):
                continue
            m, s, entry = self.defs[f[1]]
            params = entry.get("params", ())
            returned = list(entry.get("returns", ()))  # `return getattr(...)`, or a name bound to it
            returned += [b for e in returned if e[0] == Tag.NAME for b in entry["names"].get(e[1], ())]
            for e in returned:
                if e[0] == Tag.GETATTR and len(params) > 1 and e[2] == (Tag.NAME, params[1]):
                    out[("prop", f[1])] = True
                    for inner in self.resolve(m, s, e[1], depth):
                        _merge(out, self.member(inner, attr, depth), True)
        return out

    def _module_getattr(self, module: str, depth: int) -> Values:
        """A module-level `__getattr__` answers any missing name: it runs, and its return values may be meant."""
        q = qualify(module, "__getattr__")
        if "__getattr__" not in self.summaries[module]["scopes"][""]["names"] or self.kind(q) != "function":
            return {}
        out: Values = {("prop", q): True}
        _merge(out, self.call_result(("def", q), depth), may=True)
        return out

    def param(self, module: str, scope: str, name: str, depth: int) -> Values:
        q = qualify(module, scope)
        self._read_fact(("p", q, name))  # calls may bind more to it
        entry = self.summaries[module]["scopes"][scope]
        params = self.params(module, scope)
        out: Values = dict(self.bound.get((q, name), {}))
        if name in entry.get("defaults", {}):
            _merge(out, self.resolve(module, entry["parent"] or "", entry["defaults"][name], depth))
        for m, s, e in self.param_values.get((q, name), ()):
            _merge(out, _stored(self.resolve(m, s, e, depth)))
        capped = len(out) > PARAM_CAP
        if capped:
            out = {v: may for v, may in out.items() if v[0] == "def"}
            if len(out) > MEGAMORPHIC:
                out = {}
        if name in entry.get("ann", {}):  # what the annotation promises is never capped
            _merge(out, self.resolve(module, entry["parent"] or "", entry["ann"][name], depth))
        if entry.get("method") and params and params[0] == name:
            if capped or not out:
                # no call in the project says what `self` is (or too many do): an instance of the class
                # or of a subclass
                _merge(out, self._open(self.own_class(q)))
            elif self.method_kind(q) in ("instance", "property"):
                # the calls seen are not all: an instance handed out (returned, registered, passed to
                # code outside) is called elsewhere, so `self` may also be any instance the project
                # makes of the class or a subclass (never one of a class nothing instantiates)
                _merge(out, self._made(qualify(module, entry["parent"])))
        return out

    def _made(self, cls: str) -> Values:
        """As may, an instance of CLS and of each subclass of it that some call in the project makes,
        or that a module exports (in its `__all__`: code outside makes those)."""
        out: Values = {}
        for c in [cls, *sorted(self.subclasses(cls))]:
            self._read_fact(("i", c))
            if c in self.instantiated or c in self.exported_classes():
                out[("inst", c)] = True
        return out

    def exported_classes(self) -> frozenset[str]:
        """The project classes some module names in its `__all__` (its own or imported ones)."""
        if self._exported is None:
            self._exported = frozenset()  # (while being found: a lookup below may ask again)
            found: set[str] = set()
            for module, summary in self.summaries.items():
                for name in summary.get("all") or ():
                    found.update(v[1] for v in self.lookup(module, "", name, 0, local_only=True)
                                 if v[0] == "def" and self.kind(v[1]) == "class")
            self._exported = frozenset(found)
        return self._exported

    def own_class(self, method: str) -> Values:
        """The value `self` (or `cls`) names in METHOD when it runs on its own class."""
        kind = self.method_kind(method)
        module, _, entry = self.defs[method]
        cls = qualify(module, entry["parent"])
        return {("def", cls): False} if kind == "class" else {} if kind == "static" else {("inst", cls): False}

    def _open(self, values: Values) -> Values:
        """VALUES plus, as may, the same kind of value for every subclass of the classes in it."""
        out = dict(values)
        for v, may in values.items():
            if v[0] in ("inst", "def") and self.kind(v[1]) == "class":
                _merge(out, {(v[0], sub): True for sub in sorted(self.subclasses(v[1]))})
        return out

    def member(self, v: Value, attr: str, depth: int) -> Values:
        """`attribute`, memoised like a resolution (as the expression `("a", ("v", V), ATTR)`): the same
        attribute of the same object is read at many call sites."""
        if v[0] not in MEMBERED:
            return self.attribute(v, attr, depth)
        return self.resolve("", "", (Tag.ATTR, (Tag.VALUE, v), attr), depth - 1)  # at the same depth

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
        if kind == "def" and attr in TASK_RUNS and self.kind(v[1]) == "function" \
                and TASK_DECORATORS.intersection(self.decorator_names(v[1])):
            return {v: False}  # `task.delay(...)` queues a run of the task: calling it runs the task
        if kind == "inst":
            return self._member_values(v[1], attr, depth, instance=True) or self._instance_getattr(v[1], attr, depth)
        if kind == "sup":
            return self._member_values(v[2][1], attr, depth, instance=v[2][0] == "inst", after=v[1])
        if kind == "str" and attr == "value":
            return {v: False}
        if kind == "ns":
            return self.namespace_attribute(attr, depth)
        if kind == "bi" and "." not in v[1]:  # `str.join`; attributes of what it returns are unknown
            return {("bi", f"{v[1]}.{attr}"): False}
        return {}

    def call_result(self, v: Value, depth: int) -> Values:
        """What calling V returns."""
        kind = v[0]
        if kind == "def":
            k = self.kind(v[1])
            if k == "class":
                return {("inst", v[1]): False}
            if k in ("function", "lambda"):
                m, s, entry = self.defs[v[1]]
                if entry.get("generator"):
                    return {("gen", v[1]): False}
                out: Values = {}
                for e in entry.get("returns", ()):
                    _merge(out, self.resolve(m, s, e, depth))
                if "rann" in entry:  # what the annotation promises, besides what the body shows
                    _merge(out, self.resolve(m, entry["parent"] or "", entry["rann"], depth))
                return out
        if kind == "inst":
            out = {}
            for f, may in self._member_values(v[1], "__call__", depth, False).items():
                if f[0] == "def":
                    _merge(out, self.call_result(f, depth), may)
            return out
        return {}

    def decorated(self, module: str, scope: str, deco: tuple, inner: tuple, depth: int) -> Values:
        """The value a decorated name is bound to: what a project decorator returns, else the def."""
        out: Values = {}
        for v, may in self._decorators(module, scope, deco, depth).items():
            if v[0] == "def" and self.kind(v[1]) in ("function", "lambda"):
                if self._identity(v[1]):
                    _merge(out, self._returns_with(v[1], self.resolve(module, scope, inner, depth), depth), may)
                elif self._dual_form(v[1]):
                    _merge(out, self._dual_returns(v[1], True, depth), may)
                else:
                    _merge(out, self.call_result(v, depth), may)
            elif v[0] == "def" and self.kind(v[1]) == "class":
                out[("inst", v[1])] = may
        if not out:
            return self.resolve(module, scope, inner, depth)
        return out

    def _decorators(self, module: str, scope: str, deco: tuple, depth: int) -> Values:
        """What decorator expression DECO is; for `@factory(...)` whose factory returns its first
        parameter when that defaults to None (the dual form `@f`/`@f(...)`), the call passes none."""
        if deco[0] != Tag.CALL:
            return self.resolve(module, scope, deco, depth)
        out: Values = {}
        for f, may in self.resolve(module, scope, deco[1], depth).items():
            first = f[0] == "def" and self.kind(f[1]) == "function" and self._identity(f[1])
            if first and self.defs[f[1]][2].get("defaults", {}).get(first) == (Tag.UNKNOWN,):
                _merge(out, self._returns_with(f[1], {}, depth), may)
            elif f[0] == "def" and self.kind(f[1]) == "function" and self._dual_form(f[1]):
                _merge(out, self._dual_returns(f[1], False, depth), may)
            else:
                _merge(out, self.call_result(f, depth), may)
        return out

    def _identity(self, fq: str) -> str | None:
        """The first parameter of plain function FQ when FQ may return it untouched (`return func`)."""
        _, _, entry = self.defs[fq]
        params = entry.get("params", ())
        if entry.get("generator") or entry.get("method") or not params or params[0].startswith("*") \
                or params[0] in entry["names"] or (Tag.NAME, params[0]) not in entry.get("returns", ()):
            return None
        return params[0]

    def _dual_form(self, fq: str) -> str | None:
        """N when plain function FQ is a dual-form decorator factory: its first parameter defaults to
        None and it returns both a decorator N and `N(...)` (`return decorator if func is None else
        decorator(func)`): used bare, FQ got the function and returns what N makes of it; called
        (`@FQ(retries=2)`), it returns N itself."""
        _, _, entry = self.defs[fq]
        params = entry.get("params", ())
        if entry.get("generator") or entry.get("method") or not params or params[0].startswith("*") \
                or entry.get("defaults", {}).get(params[0]) != (Tag.UNKNOWN,):
            return None
        returns = entry.get("returns", ())
        for e in returns:
            if e[0] == Tag.NAME and (Tag.CALL, e) in returns:
                return e[1]
        return None

    def _dual_returns(self, fq: str, applied: bool, depth: int) -> Values:
        """What dual-form factory FQ (see `_dual_form`) returns when used bare (APPLIED) or called."""
        m, s, entry = self.defs[fq]
        unapplied = (Tag.NAME, self._dual_form(fq))
        out: Values = {}
        for e in entry.get("returns", ()):
            if (e == unapplied) != applied:
                _merge(out, self.resolve(m, s, e, depth))
        return out

    def _returns_with(self, fq: str, first: Values, depth: int) -> Values:
        """What FQ (see `_identity`) returns when its first parameter holds FIRST: a decorator used on
        hundreds of functions must give each its own, not all of them."""
        m, s, entry = self.defs[fq]
        identity = (Tag.NAME, entry["params"][0])
        out: Values = {}
        for e in entry.get("returns", ()):
            _merge(out, first if e == identity else self.resolve(m, s, e, depth))
        if "rann" in entry:
            _merge(out, self.resolve(m, entry["parent"] or "", entry["rann"], depth))
        return out

    def getattr_values(self, module: str, scope: str, obj: tuple, key: tuple, default: tuple | None,
                       depth: int) -> Values:
        """`getattr(obj, key[, default])`: the named attribute, or every member matching a known prefix
        (and suffix)."""
        prefix: str | None = None
        suffix = ""
        if key[0] == Tag.PREFIX and len(key) > 3 and not key[1] and not key[2]:
            key = key[3]  # `f"{x}"` is x's name
        if key[0] == Tag.PREFIX:  # the members the prefix and suffix allow, whatever x (`"do_" + command`)
            prefix, suffix = key[1], key[2] if len(key) > 2 else ""
            names = []
        else:
            names = [k[1] for k in self.resolve(module, scope, key, depth) if k[0] == "str"]
        fallback = self.resolve(module, scope, default, depth) if default is not None else {}
        out: Values = {}
        for v, may in self.resolve(module, scope, obj, depth).items():
            if names:
                for n in names:
                    found = self.member(v, n, depth)
                    _merge(out, found or fallback, may or len(names) > 1)
            else:
                for n in self.member_names(v):
                    if prefix is None or n.startswith(prefix) and n.endswith(suffix):
                        _merge(out, self.member(v, n, depth), True)
                _merge(out, fallback, True)
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

    def _module_globals(self, module: str) -> list[str]:
        """MODULE's top-level functions and classes: what `globals()[name]` may give."""
        return [qualify(module, s) for s, e in self.summaries[module]["scopes"].items()
                if e["kind"] in ("function", "class") and e["parent"] == ""]


#: how each kind of expression resolves (see `Index.resolve`); any other resolves to nothing
RESOLVERS = {
    Tag.NAME: Index._name, Tag.ATTR: Index._attribute, Tag.CALL: Index._called, Tag.STR: Index._string,
    Tag.INT: Index._integer, Tag.DEF: Index._definition, Tag.IMPORT: Index._import, Tag.FROM: Index._from_import,
    Tag.DICT: Index._literal, Tag.LIST: Index._literal, Tag.SUBSCRIPT: Index._subscript, Tag.ITEM: Index._item,
    Tag.CONTAINER_METHOD: Index._container_method, Tag.GETATTR: Index._getattr, Tag.GLOBAL: Index._global,
    Tag.SUPER: Index._super, Tag.INSTANCE: Index._annotated, Tag.CLASS: Index._annotated, Tag.TYPE_OF: Index._type_of,
    Tag.PARTIAL: Index._partial_of, Tag.NAMESPACE: Index._namespace, Tag.SLICE: Index._slice,
    Tag.DECORATED: Index._decorated, Tag.IMPORT_MODULE: Index._import_module, Tag.FIRST: Index._first,
    Tag.METACLASS: Index._metaclass,
}

def _key_names(keys: Values) -> set[str]:
    """The dict-literal keys (see the summary's dict encoding) that the resolved KEYS may be."""
    return {k[1] if k[0] == "str" else f"#{k[1]}" for k in keys if k[0] in ("str", "int")}


def _stored(values: Values) -> Values:
    """VALUES as held by a variable, parameter or attribute: reading a property ran its getter, and
    what is kept is the getter's result, not the getter."""
    if any(v[0] == "prop" for v in values):
        return {v: may for v, may in values.items() if v[0] != "prop"}
    return values


def _plain(params: Iterable[str]) -> list[str]:
    return [p.lstrip("*") for p in params]
