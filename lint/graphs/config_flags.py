"""Flags kept in configuration (`[tool.knightwatch.flags]` config-objects, settings-classes,
env-constants): which value reads in a branch test read a configured object, and the config path
(`dry_run`, `risk.max_notional`) each one reads.

Objects are recognised by what the analysis resolves, not by their text: a configured dotted name
is matched where a name is bound to it (through imports and aliases) or holds the same value; a
settings class by the class of the instance read; `self.<attr>` by the first parameter of the
enclosing method. Path steps (attributes, subscripts, `.get(key)`) resolve through constants.
"""

from __future__ import annotations

from itertools import product

from knightwatch.config import Config
from knightwatch.graphs.index import Index
from knightwatch.source.schema import Call, Read, Tag

ENV_CALLS = frozenset({"os.getenv", "os.environ.get"})
#: value kinds a configured object can be recognised by (a call's unknown result is no evidence)
IDENTIFYING = frozenset({"inst", "box", "ext"})
MAX_KEYS = 8
#: a configparser parser's (and section's) readers of one option
INI_GETTERS = frozenset({"get", "getboolean"})  # (getint, getfloat: a number is a setting, no toggle)
MAX_ALIAS_DEPTH = 3


def render(expr: tuple) -> str:
    """EXPR as source text, for a read's `via`."""
    tag = expr[0]
    if tag == "n":
        return expr[1]
    if tag == "a":
        return f"{render(expr[1])}.{expr[2]}"
    if tag == "x":
        return f"{render(expr[1])}[{render(expr[2])}]"
    if tag == "cm":
        return f"{render(expr[1])}.{expr[2]}({', '.join(render(a) for a in expr[3])})"
    if tag in ("s", "k"):
        return repr(expr[1])
    if tag == "d":  # a default: `.get("legacy", {})`
        return "{}" if all(k == "?0" for k, _ in expr[1]) else "{…}"
    if tag == "l":
        return "[]" if all(e[0] == "u" for e in expr[1]) else "[…]"
    if tag == "c":
        return f"{render(expr[1])}()"
    return "…" if tag == "u" else "<expr>"


def _chain(expr: tuple) -> tuple[list[tuple], list[tuple]]:
    """(prefixes, steps) of a read chain: prefixes[0] is its root, prefixes[i + 1] is prefixes[i]
    followed by steps[i] (an attribute as a string constant, a subscript or `.get` key expression)."""
    nodes, steps = [expr], []
    while True:
        e = nodes[-1]
        if e[0] == Tag.ATTR:
            steps.append((Tag.STR, e[2]))
        elif e[0] == Tag.SUBSCRIPT:
            steps.append(e[2])
        elif e[0] == Tag.CONTAINER_METHOD and e[2] == "get" and e[3]:
            steps.append(e[3][0])
        else:
            break
        nodes.append(e[1])
    return nodes[::-1], steps[::-1]


def _rooted(expr: tuple, root: tuple) -> tuple:
    """Read chain EXPR with its root name replaced by the chain ROOT (`legacy.get("peg")` with
    `cfg.get("legacy")` is `cfg.get("legacy").get("peg")`)."""
    if expr[0] in (Tag.ATTR, Tag.SUBSCRIPT, Tag.CONTAINER_METHOD):
        return (expr[0], _rooted(expr[1], root), *expr[2:])
    return root


class ConfigSources:
    """The configured flag sources of one project, resolved against its index."""

    def __init__(self, index: Index, config: Config):
        self.idx = index
        self.self_attrs = {n.split(".", 1)[1] for n in config.config_objects if n.startswith("self.")}
        self.names = {n for n in config.config_objects if not n.startswith("self.")}
        self.env = config.env_constants
        self.values: set[tuple] = set()
        self.attrs: set[tuple[str, str]] = set()  # (class, attribute): that attribute of its instances
        for name in sorted(self.names):
            self._locate(name)
        if self.env:
            self.values.add(("ext", "os.environ"))
        self.classes = self._settings_classes(config.settings_classes)
        self.active = bool(config.config_objects or config.settings_classes or self.env)

    # ---- what is configured -----------------------------------------------------------------
    def _locate(self, name: str) -> None:
        parts = name.split(".")
        cut = next((i for i in range(len(parts) - 1, 0, -1) if ".".join(parts[:i]) in self.idx.modules), 0)
        if not cut:
            self.values.add(("ext", name))
            return
        current = {("mod", ".".join(parts[:cut])): False}
        for i, attr in enumerate(parts[cut:], cut + 1):
            if i == len(parts):
                self.attrs |= {(v[1], attr) for v in current if v[0] == "def" and self.idx.kind(v[1]) == "class"}
            found: dict = {}
            for v in current:
                found.update(self.idx.member(v, attr, 0))
            current = found
        self.values |= {v for v in current if v[0] in ("inst", "box")}

    def _settings_classes(self, names: list[str]) -> set[str]:
        out: set[str] = set()
        for name in names:
            if self.idx.kind(name) == "class":
                out |= {name} | self.idx.subclasses(name)
                continue
            for q, (module, _, entry) in self.idx.defs.items():
                if entry["kind"] == "class" and any(("ext", name) in self.idx.resolve(module, entry["parent"] or "", b)
                                                    for b in entry.get("bases", ())):
                    out |= {q} | self.idx.subclasses(q)
        return out

    # ---- matching ---------------------------------------------------------------------------
    def _scope_of(self, module: str, scope: str, name: str) -> str | None:
        """The scope of MODULE where NAME, read in SCOPE, is bound (Python's rules, no class skipping
        beyond the first)."""
        scopes = self.idx.summaries[module]["scopes"]
        s: str | None = scope
        first = True
        while s is not None:
            entry = scopes[s]
            if (entry["kind"] != "class" or first) and name not in entry.get("globals", ()) and (
                    name in entry["names"] or entry["kind"] in ("function", "lambda") and name in self.idx.params(module, s)):
                return s
            first = False
            s = entry["parent"] if s else None
        return None

    def _dotted(self, module: str, scope: str, expr: tuple, depth: int = 0) -> str | None:
        """The module-level dotted name EXPR refers to (`CONFIG` bound by `from app.settings import
        CONFIG` is `app.settings.CONFIG`); None for a local value or an unknown one."""
        if expr[0] == Tag.ATTR:
            base = self._dotted(module, scope, expr[1], depth)
            return f"{base}.{expr[2]}" if base else None
        if expr[0] != Tag.NAME or depth > MAX_ALIAS_DEPTH:
            return None
        s = self._scope_of(module, scope, expr[1])
        if s is None:
            return None
        for e in self.idx.summaries[module]["scopes"][s]["names"].get(expr[1], ()):
            if e[0] == Tag.IMPORT:
                return e[1]
            if e[0] == Tag.FROM:
                if e[1] in self.idx.modules and expr[1] in self.idx.summaries[e[1]]["scopes"][""]["names"]:
                    return self._dotted(e[1], "", (Tag.NAME, e[2]), depth + 1)
                return f"{e[1]}.{e[2]}" if e[1] else e[2]
        return f"{module}.{expr[1]}" if s == "" else None

    def _is_self(self, module: str, scope: str, name: str) -> bool:
        """NAME is `self`: the first parameter of the instance method (or property) SCOPE is, or is
        nested in; a static method's first parameter is no `self`."""
        s = self._scope_of(module, scope, name)
        if not s:
            return False
        entry = self.idx.summaries[module]["scopes"][s]
        return bool(entry.get("params") and entry["params"][0] == name
                    and self.idx.method_kind(f"{module}.{s}") in ("instance", "property"))

    def source(self, module: str, scope: str, prefix: tuple) -> str | None:
        """How PREFIX is a configured object (`config:self.config`, `settings:app.Settings`), or None."""
        if prefix[0] == Tag.ATTR and prefix[2] in self.self_attrs and prefix[1][0] == Tag.NAME \
                and self._is_self(module, scope, prefix[1][1]):
            return f"config:self.{prefix[2]}"
        dotted = self._dotted(module, scope, prefix)
        if dotted in self.names:
            return f"config:{dotted}"
        if not (self.values or self.classes or self.attrs) or prefix[0] not in (Tag.NAME, Tag.ATTR):
            return None
        values = self.idx.resolve(module, scope, prefix)
        # the configured object's own methods reading `self._wrapped` are its plumbing, not settings
        own = prefix[0] == Tag.NAME and self._is_self(module, scope, prefix[1])
        for v in sorted(values):
            if v in self.values and v[0] in IDENTIFYING and not own:
                return "env:os.environ" if v == ("ext", "os.environ") else f"config:{render(prefix)}"
            if v[0] == "inst" and v[1] in self.classes:
                return f"settings:{v[1]}"
        if prefix[0] == Tag.ATTR and self.attrs:
            for v in self.idx.resolve(module, scope, prefix[1]):
                if v[0] in ("inst", "def") and self.idx.kind(v[1]) == "class" and \
                        any((c, prefix[2]) in self.attrs for c in self.idx.mro(v[1])):
                    return f"config:{render(prefix)}"
        return None

    def _keys(self, module: str, scope: str, steps: list[tuple]) -> tuple[str, ...]:
        options = []
        for step in steps:
            found = sorted({v[1] for v in self.idx.resolve(module, scope, step) if v[0] == "str"})
            if not found:
                return ()
            options.append(found)
        keys = sorted(".".join(p) for p in product(*options))
        return tuple(keys) if len(keys) <= MAX_KEYS else ()

    def _env_call(self, module: str, scope: str, callee: tuple) -> bool:
        return any(v[0] == "ext" and v[1] in ENV_CALLS for v in self.idx.resolve(module, scope, callee))

    def read(self, module: str, scope: str, record: list, depth: int = 0) -> tuple[tuple[str, ...], str, int] | None:
        """(keys, accessor, extra negation) of the value read RECORD (see `knightwatch.source.summary`), in a
        gate of SCOPE; None when it reads no configured flag source."""
        record = Read(*record)
        kind, expr, args = record.kind, record.expr, record.args
        if kind == "call":
            if self._env_call(module, scope, expr):
                if depth == 0 or not self.env or not args:  # in a test: already an env read of the flag graph
                    return None
                keys = self._keys(module, scope, [args[0]])
                return (keys, "env:os.getenv", 0) if keys else None
            ini = self._ini_read(module, scope, expr, args)
            if ini is not None:
                return ini
            if expr[0] != Tag.ATTR or expr[2] != "get" or not args:
                return None
            expr = (Tag.CONTAINER_METHOD, expr[1], "get", tuple(args))
        if expr[0] == Tag.NAME:
            return self._alias(module, scope, expr[1], depth)
        if expr[0] == Tag.ATTR and expr[1][0] == Tag.NAME:  # `settings.LEGACY`, bound to a read there
            imported = self._dotted(module, scope, expr[1])
            if imported in self.idx.modules and expr[2] in self.idx.summaries[imported]["scopes"][""]["names"]:
                return self._alias(imported, "", expr[2], depth)
        prefixes, steps = _chain(expr)
        if prefixes[0][0] == Tag.NAME and self.source(module, scope, prefixes[0]) is None:
            section = self._section(module, scope, prefixes[0][1], depth)
            if section is not None:  # `legacy = cfg.get("legacy", {})`, then `legacy.get("peg")`
                return self.read(module, scope, ["v", _rooted(expr, section), None, 0, 0, 0, 0, 0], depth + 1)
        for i, prefix in enumerate(prefixes[:-1]):
            how = self.source(module, scope, prefix)
            if how is None:
                continue
            if how.startswith("settings:") and not self._field(how.partition(":")[2], steps[i]):
                return None
            if prefixes[i + 1][0] == Tag.ATTR:  # `features.block_sweep` through a renaming `__getattr__`
                steps = steps[:i] + [self._renamed(module, scope, prefix, steps[i])] + steps[i + 1:]
            keys = self._keys(module, scope, steps[i:])
            return (keys, how, 0) if keys else None
        return None

    def _renamed(self, module: str, scope: str, obj: tuple, step: tuple) -> tuple:
        """Attribute STEP of OBJ as the key the `__getattr__` of OBJ's class looks up, when that
        rewrites the name it is given (`name.replace("_", "-")`, `name.upper()`)."""
        idx = self.idx
        for v in idx.resolve(module, scope, obj):
            member = idx.class_member(v[1], "__getattr__") if v[0] == "inst" and idx.kind(v[1]) == "class" else None
            getter = f"{member[0]}.__getattr__" if member else None
            if getter is None or idx.kind(getter) != "function" or len(idx.params(*idx.defs[getter][:2])) < 2:
                continue
            g_module, g_scope = idx.defs[getter][:2]
            name = (Tag.NAME, idx.params(g_module, g_scope)[1])
            key = step[1]
            for call in idx.summaries[g_module]["calls"]:
                call = Call(*call)
                if call.scope != g_scope or call.callee[0] != Tag.ATTR or call.callee[1] != name:
                    continue
                if call.callee[2] == "replace" and len(call.args) == 2 and all(a[0] == Tag.STR for a in call.args):
                    key = key.replace(call.args[0][1], call.args[1][1])
                elif call.callee[2] in ("lower", "upper") and not call.args:
                    key = getattr(key, call.callee[2])()
            return (Tag.STR, key)
        return step

    def _ini_read(self, module: str, scope: str, callee: tuple, args: list) -> tuple | None:
        """A configparser read of a configured parser: `CFG.getboolean("features", "peg")`,
        `CFG.get("desk", "mode")` or `CFG["features"].getboolean("peg")`, keyed `section.option`."""
        if callee[0] != Tag.ATTR or callee[2] not in INI_GETTERS or not args:
            return None
        obj = callee[1]
        if obj[0] == Tag.SUBSCRIPT and self._ini(module, scope, obj[1]):
            steps = [obj[2], args[0]]
        elif len(args) >= 2 and self._ini(module, scope, obj):
            steps = [args[0], args[1]]
        else:
            return None
        keys = self._keys(module, scope, steps)
        return (keys, f"config:{render(obj if obj[0] != Tag.SUBSCRIPT else obj[1])}", 0) if keys else None

    def _ini(self, module: str, scope: str, expr: tuple) -> bool:
        """EXPR is a configured object made by `configparser.ConfigParser()` (or a raw or safe one)."""
        if self.source(module, scope, expr) is None:
            return False
        dotted = self._dotted(module, scope, expr)
        if dotted is None or "." not in dotted:
            return False
        home, _, name = dotted.rpartition(".")
        if home not in self.idx.modules:
            return False
        bound = self.idx.summaries[home]["scopes"][""]["names"].get(name, ())
        return any(b[0] == Tag.CALL and render(b[1]).rpartition(".")[2].endswith("ConfigParser") for b in bound)

    def _field(self, cls: str, step: tuple) -> bool:
        """STEP names a field, class attribute or instance attribute (`self.x = ...` in a method) of the
        settings class CLS: a method or property is no setting."""
        for c in self.idx.mro(cls):
            module, scope, entry = self.idx.defs[c]
            if step[0] == Tag.STR and (step[1] in self.idx.fields(c) or step[1] in entry.get("attrs", ())
                                       or step[1] in entry["names"]) and self.idx.kind(f"{c}.{step[1]}") is None:
                return True
        return False

    def _section(self, module: str, scope: str, name: str, depth: int) -> tuple | None:
        """The read chain local NAME is bound to, and only to (`legacy = self.settings.get("legacy", {})`),
        when it starts at a configured object; else None."""
        if depth >= MAX_ALIAS_DEPTH:
            return None
        s = self._scope_of(module, scope, name)
        if s is None or s == "" or name in self.idx.params(module, s):
            return None
        bound = self.idx.summaries[module]["scopes"][s]["names"].get(name, ())
        if len(bound) != 1 or bound[0][0] not in (Tag.ATTR, Tag.SUBSCRIPT, Tag.CONTAINER_METHOD):
            return None
        prefixes, _ = _chain(bound[0])
        return bound[0] if any(self.source(module, s, p) for p in prefixes) else None

    def _alias(self, module: str, scope: str, name: str, depth: int):
        """A name bound to a value read (`DRY_RUN = os.getenv("DRY_RUN") == "1"`), here or imported."""
        if depth >= MAX_ALIAS_DEPTH:
            return None
        s = self._scope_of(module, scope, name)
        if s is None:
            return None
        entry = self.idx.summaries[module]["scopes"][s]
        bindings = entry["names"].get(name, ())
        for e in bindings:
            if e[0] == Tag.FROM and e[1] in self.idx.modules:
                return self._alias(e[1], "", e[2], depth + 1)
        groups = entry.get("reads", {}).get(name, ())
        # also bound to something else (a parameter, another value) is not only the read; but a
        # module-level toggle may have a default the read overrides (`DARK = False`, then `global
        # DARK; DARK = CFG.getboolean(...)`)
        if not groups or len(groups) != len(bindings) and s != "" or entry["kind"] in ("function", "lambda") \
                and name in self.idx.params(module, s):
            return None
        found = set()
        for group in groups:
            reads = [(read, Read(*record).negated) for record in group if (read := self.read(module, s, record, depth + 1))]
            if len(reads) != 1:  # `a = x or y` holds neither read alone
                return None
            (keys, how, negated), outer = reads[0]
            found.add((keys, how, (negated + outer) % 2))
        return found.pop() if len(found) == 1 else None
