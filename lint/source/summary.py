"""Per-file summary: the definitions, bindings, calls and branch gates of one module.

A summary is plain data (dicts, lists, tuples, strings, numbers), so it can be cached by content
hash; every later stage reads summaries, never ASTs. Expressions are kept symbolically (see `Expr`)
and resolved project-wide by `knightwatch.graphs.index`.

Expr encoding (tuples, hashable, so resolutions can be memoised by them; `knightwatch.source.schema.Tag`
names each tag, `Call` and `Read` the fields of the records described below):
  ("n", name)           a name load              ("a", expr, attr)     attribute
  ("c", expr[, arg])    result of calling expr (with its first argument when that names a class)
  ("s", text)           string constant
  ("f", scope)          a def/class/lambda here  ("i", module)         `import module`
  ("m", module, name)   `from module import name`("d", ((key, expr), ...)) dict literal
  ("l", (expr, ...))    list/tuple/set literal   ("x", expr, key)      subscript expr[key]
  ("it", expr)          an element of iterating  ("ga", expr, key)     getattr(expr, key)
  ("g", key)            globals()[key]           ("sup", class_scope)  super() in a method
  ("fs", prefix[, suffix[, expr]])  a string with a constant prefix (f-string, "a" + x), and suffix;
                        with expr: prefix + str(expr) + suffix (`f"{side}_params"`, "a" + x)
  ("k", n)              an int constant          ("*", expr)           a starred call argument
  ("ga", obj, key, default) getattr with a default  ("gl",)           globals()/locals()/vars()
  ("cm", obj, method, (args)) result of a container method (get, pop, items, ...) on obj
  ("dec", deco, expr)   expr decorated by deco   ("l", (a, b), 1)      either a or b (`a or b`)
  ("t", expr)           an instance of class expr or of any subclass (from an annotation)
  ("tc", expr[, "sub"]) class expr or any subclass (`type[X]`); with "sub", a subclass only
  ("ty", expr)          the class of expr's value (`type(x)`)
  ("pf", expr, n)       `functools.partial(expr, a1, .., an, k=..)`: calling it calls expr, its own
                        arguments going to the parameters after the n bound ones
  ("ns",)               an argparse namespace (`parser.parse_args()`)
  ("sl", expr, lo, hi)  `expr[lo:hi]` with constant bounds
  ("im", expr)          `importlib.import_module(expr)`: the module it names (every one under an "fs" prefix)
  ("mc", expr)          the metaclass of class expr, or of the classes in tuple expr (`type(name, bases, ns)`)
  ("u",)                unknown
Value reads ("chains": a name, attribute, subscript or `.get(key)`/`getenv(key)` call, outermost
only) are [kind, expr, args, negated, line, col, end_line, end_col, joins], kind "v" (EXPR is the
value) or "call" (EXPR is the callee, ARGS its arguments), JOINS the `and`/`or` it is an operand of
(`schema.AND`, `OR`); gates keep those of their test, scopes those of `name = <value>` assignments (by
name, one group an assignment), for configured flag sources (`knightwatch.graphs.config_flags`).
A gate's "calls" are [call index, negated, joins] for each call in its test.
Calls are [scope, callee, line, col, end_line, end_col, cond, pos, args, kwargs, tag]; `**x` kwargs
are keyed "**<n>". TAG marks calls Python makes implicitly: "dec" (applying a decorator), "raise" (`raise E`), "dunder"
(an operator, `for`, `with`, a truth test, a subscript) or "bi:<name>" (a protocol method the
builtin <name> calls on its argument); None for calls written in the source.
"""

from __future__ import annotations

import ast
import re
import sys
import threading
from typing import Any, Callable

from knightwatch.source.schema import AND, OR, Read, Tag
from knightwatch.source.straight import StraightLine

SUMMARY_VERSION = 28
#: methods whose call in a test reads a value: `cfg.get("k")`, `os.getenv`, configparser's typed getters
CONFIG_GETTERS = frozenset({"get", "getenv", "getboolean", "getint", "getfloat"})
UNKNOWN = (Tag.UNKNOWN,)
#: operands nested deeper than this in one expression have an unknown value (their calls are still
#: recorded): the summary's values stay shallow enough to store, load and resolve
EXPRESSION_DEPTH = 100
#: a module nested deeper than the recursion limit allows (CPython compiles about 3,000 levels of
#: operators) is summarised again in a thread with this much stack and this recursion limit
DEEP_STACK = 512 * 1024 * 1024
DEEP_RECURSION = 50_000
IGNORE_RE = re.compile(r"#\s*knightwatch:\s*ignore(?P<codes>\[[^\]]*\])?(?:\s*--\s*(?P<reason>.*))?", re.I)
BINOP_DUNDER = {
    ast.Add: "__add__", ast.Sub: "__sub__", ast.Mult: "__mul__", ast.Div: "__truediv__",
    ast.FloorDiv: "__floordiv__", ast.Mod: "__mod__", ast.Pow: "__pow__", ast.MatMult: "__matmul__",
    ast.LShift: "__lshift__", ast.RShift: "__rshift__", ast.BitOr: "__or__", ast.BitAnd: "__and__",
    ast.BitXor: "__xor__",
}
CMP_DUNDER = {ast.Eq: "__eq__", ast.NotEq: "__ne__", ast.Lt: "__lt__", ast.LtE: "__le__", ast.Gt: "__gt__",
              ast.GtE: "__ge__", ast.In: "__contains__", ast.NotIn: "__contains__"}
#: values a flag read compared with `==`/`is` means "off" (`os.environ.get("X") is None`)
OFF_VALUES = frozenset({None, False, 0, "", "0", "false", "False", "FALSE", "off", "no", "n"})
TERMINATORS = (ast.Return, ast.Raise, ast.Continue, ast.Break)
CONTAINER_METHODS = frozenset({"get", "pop", "setdefault", "copy", "items", "values"})
#: container mutations -> how they store: "one" (last argument), "all" (the elements of it), "key"
STORES = {"append": "one", "add": "one", "insert": "one", "appendleft": "one", "extend": "all",
          "update": "all", "setdefault": "key"}
#: builtins that call a protocol method of their first argument
BUILTIN_DUNDERS = {"len": "__len__", "bool": "__bool__", "str": "__str__", "repr": "__repr__", "hash": "__hash__",
                   "abs": "__abs__", "next": "__next__", "reversed": "__reversed__", "format": "__format__",
                   "int": "__int__", "float": "__float__", "iter": "__iter__"}
#: builtins whose result holds the elements of their (last) argument
#: parameter defaults that make a framework call a function first and pass what it returns (FastAPI)
DEPENDENCY_MARKERS = frozenset({"Depends", "Security"})
#: heapq's functions that push an item onto the heap (their first argument) and that pop one off it
HEAP_PUSHES = frozenset({"heappush", "heappushpop", "heapreplace"})
HEAP_POPS = frozenset({"heappop", "heappushpop", "heapreplace"})
ELEMENT_BUILTINS = frozenset({"sorted", "reversed", "list", "tuple", "set", "frozenset", "iter", "filter"})
#: annotation heads that mean their first argument
TRANSPARENT_TYPES = frozenset({"Optional", "Annotated", "Final", "ClassVar", "Required", "NotRequired", "ReadOnly",
                               "InitVar"})
SEQUENCE_TYPES = frozenset({"list", "List", "Sequence", "MutableSequence", "Iterable", "Iterator", "Collection",
                            "set", "Set", "frozenset", "FrozenSet", "AbstractSet", "MutableSet", "deque", "Deque",
                            "Generator", "AsyncIterator", "AsyncIterable", "AsyncGenerator", "ValuesView",
                            "KeysView", "Reversible", "tuple", "Tuple"})
MAPPING_TYPES = frozenset({"dict", "Dict", "Mapping", "MutableMapping", "DefaultDict", "defaultdict", "OrderedDict",
                           "ChainMap", "Counter"})
#: default factories that make an empty container: a list-like or a dict-like one
EMPTY_CONTAINERS = {"list": Tag.LIST, "set": Tag.LIST, "deque": Tag.LIST, "dict": Tag.DICT, "defaultdict": Tag.DICT,
                    "OrderedDict": Tag.DICT}
#: field specifiers whose `default_factory`/`factory` (or `default`) keyword gives a field its value
FIELD_SPECIFIERS = frozenset({"field", "ib", "attrib", "Field"})
#: builtins that convert a value read without changing which value it is (`bool(os.getenv("X"))`)
CONVERSIONS = frozenset({"bool", "int", "float", "str", "len"})
ITERATING_BUILTINS = frozenset({"list", "tuple", "set", "frozenset", "sorted", "sum", "min", "max", "any", "all",
                                "enumerate", "dict"})


def _join(node: ast.BoolOp, negated: int) -> int:
    """AND or OR: the connective NODE is once the negations around it are pushed inside (`not (a and b)`
    is `not a or not b`)."""
    return AND if isinstance(node.op, ast.And) != bool(negated % 2) else OR


#: what `_registered_name` adds to a repeated name
REGISTERED_SUFFIX = re.compile(r"(\[[\w.]+\]|#\d+)$")


def written_name(q: str) -> str:
    """Qualified name Q as the source writes it: without the suffix `_registered_name` adds."""
    return REGISTERED_SUFFIX.sub("", q)


def _registered_name(node: ast.FunctionDef, register: ast.expr, taken) -> str:
    """A name for one more implementation NODE registers (REGISTER: `@route.register(T)` or bare) under
    a name in use (`def _`): the type it is for (`_[Peg]`: REGISTER's argument, else the first annotated
    parameter), else its rank (`_#2`); never its line, which an edit above it moves."""
    anns = [a.annotation for a in node.args.posonlyargs + node.args.args if a.annotation is not None]
    kind = register.args[0] if isinstance(register, ast.Call) and register.args else anns[0] if anns else None
    if isinstance(kind, (ast.Name, ast.Attribute)) and not taken(f"{node.name}[{ast.unparse(kind)}]"):
        return f"{node.name}[{ast.unparse(kind)}]"
    rank = 2
    while taken(f"{node.name}#{rank}"):
        rank += 1
    return f"{node.name}#{rank}"


def _names_module(part: ast.expr) -> bool:
    """PART is `{__name__}` in an f-string: the module's own dotted name (`f"{__name__}.{info.name}"`)."""
    return isinstance(part, ast.FormattedValue) and isinstance(part.value, ast.Name) and part.value.id == "__name__" \
        and part.format_spec is None and part.conversion in (-1, ord("s"))


def _method_caller(node: ast.Call) -> ast.Call | None:
    """The `operator.methodcaller(name, ...)` call NODE calls at once with one object, or None."""
    f = node.func
    if not isinstance(f, ast.Call) or len(node.args) != 1 or node.keywords or isinstance(node.args[0], ast.Starred):
        return None
    name = f.func.id if isinstance(f.func, ast.Name) else f.func.attr if isinstance(f.func, ast.Attribute) else ""
    if name != "methodcaller" or not f.args or isinstance(f.args[0], ast.Starred):
        return None
    return f


def _attr_getter(node: ast.Call) -> ast.Call | None:
    """The `operator.attrgetter(name)` call NODE calls at once with one object, or None."""
    f = node.func
    if not isinstance(f, ast.Call) or len(node.args) != 1 or node.keywords or isinstance(node.args[0], ast.Starred):
        return None
    name = f.func.id if isinstance(f.func, ast.Name) else f.func.attr if isinstance(f.func, ast.Attribute) else ""
    if name != "attrgetter" or len(f.args) != 1 or f.keywords or isinstance(f.args[0], ast.Starred):
        return None
    return f


def _member_listing(gen: ast.comprehension) -> tuple[ast.expr, str] | None:
    """(the object, the prefix) when comprehension GEN goes over the names of an object's members,
    `dir(obj)` into a name or `inspect.getmembers(obj[, predicate])` into a (name, member) pair,
    keeping those that start with a prefix (`if name.startswith("on_")`)."""
    it, target = gen.iter, gen.target
    if not isinstance(it, ast.Call) or not it.args or isinstance(it.args[0], ast.Starred):
        return None
    f = it.func
    called = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
    if called == "dir" and isinstance(target, ast.Name) and len(it.args) == 1:
        name = target.id
    elif called == "getmembers" and isinstance(target, ast.Tuple) and len(target.elts) == 2 \
            and all(isinstance(e, ast.Name) for e in target.elts):
        name = target.elts[0].id
    else:
        return None
    for cond in gen.ifs:
        if isinstance(cond, ast.Call) and isinstance(cond.func, ast.Attribute) and cond.func.attr == "startswith" \
                and isinstance(cond.func.value, ast.Name) and cond.func.value.id == name and len(cond.args) == 1 \
                and isinstance(cond.args[0], ast.Constant) and isinstance(cond.args[0].value, str) and cond.args[0].value:
            return it.args[0], cond.args[0].value
    return None


def _given(node: ast.expr) -> bool:
    """NODE is not an empty literal (`None`, `()`, `[]`, `""`)."""
    if isinstance(node, ast.Constant):
        return bool(node.value)
    return not (isinstance(node, (ast.List, ast.Tuple, ast.Set)) and not node.elts)


def _is_off(value: object) -> bool:
    """VALUE is one a flag has when it is off (`"0"`, `"false"`, None, ...)."""
    try:
        return value in OFF_VALUES
    except TypeError:  # an unhashable constant cannot be one of them
        return False


def _flips(node: ast.Compare) -> int:
    """1 when the comparison is true exactly when the value compared is off: `x is None`, `x == "0"`,
    `x != "on"`, `x not in y`, `x in ("0", "")` (a flag read inside it then gates its body with the
    opposite polarity)."""
    if len(node.ops) != 1:
        return 0
    if isinstance(node.ops[0], (ast.In, ast.NotIn)):
        # `x in ("0", "false")` is true when x is off; `Features.X not in features`, `"x" not in
        # enabled`, `x not in ("1", "on")` when it is off too
        values = node.comparators[0]
        constants = isinstance(values, (ast.Tuple, ast.List, ast.Set)) and values.elts \
            and all(isinstance(e, ast.Constant) for e in values.elts)
        off = bool(constants) and all(_is_off(e.value) for e in values.elts)
        return int(off != isinstance(node.ops[0], ast.NotIn))
    other = node.comparators[0] if isinstance(node.comparators[0], ast.Constant) else node.left
    if not isinstance(other, ast.Constant):
        return 0
    off = _is_off(other.value)
    op = type(node.ops[0])
    if op in (ast.Eq, ast.Is):
        return 1 if off else 0
    if op in (ast.NotEq, ast.IsNot):
        return 0 if off else 1
    return 0


def _terminates(body: list[ast.stmt]) -> bool:
    if not body:
        return False
    last = body[-1]
    if isinstance(last, TERMINATORS):
        return True
    if isinstance(last, ast.Expr) and isinstance(last.value, ast.Call):
        f = last.value.func
        name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
        return name in ("exit", "_exit", "abort")
    return False


def _span(nodes: list[ast.AST]) -> list[int] | None:
    if not nodes:
        return None
    return [nodes[0].lineno, max(getattr(n, "end_lineno", n.lineno) or n.lineno for n in nodes)]


def _where(node: ast.AST) -> list[int]:
    """[line, column, end line, end column] of NODE, columns 1-based."""
    return [node.lineno, node.col_offset + 1, node.end_lineno or node.lineno, (node.end_col_offset or 0) + 1]


def _empty(node: ast.AST) -> tuple:
    """The one unknown element of an empty container made at NODE (`[]`, `dict()`): named after
    its place, so that two empty containers made in one scope stay two boxes, each with its own stores."""
    return (Tag.UNKNOWN, f"{node.lineno}:{node.col_offset}")


def _class_like(node: ast.AST) -> bool:
    """NODE is a name that reads like a class (`IVenue`, `venues.Binance`; not `MAX_QTY` or `qty`)."""
    name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""
    return name[:1].isupper() and not name.isupper()


def _is_stub(body: list[ast.stmt]) -> bool:
    """A body with nothing to run: a docstring, `...`, `pass` or `raise NotImplementedError` only."""
    for st in body:
        if isinstance(st, ast.Pass) or isinstance(st, ast.Expr) and isinstance(st.value, ast.Constant) \
                and (st.value.value is Ellipsis or isinstance(st.value.value, str)):
            continue
        if isinstance(st, ast.Raise) and st.exc is not None \
                and getattr(st.exc.func if isinstance(st.exc, ast.Call) else st.exc, "id", "") == "NotImplementedError":
            continue
        return False
    return True


def _first_stmt_line(body: list[ast.stmt]) -> int:
    if len(body) > 1 and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        return body[1].lineno
    return body[0].lineno if body else 0


#: fields that never hold a node worth visiting (names, numbers, contexts, operators)
LEAF_FIELDS = frozenset({"ctx", "op", "ops", "id", "attr", "arg", "name", "asname", "module", "level", "kind",
                         "type_comment", "conversion", "is_async"})


class Summariser(ast.NodeVisitor):
    """Walk one module and collect its summary.

    `visit` and `generic_visit` behave as NodeVisitor's, with the method and child fields of each
    node class looked up once (the lookups by name dominate the walk otherwise)."""

    _visitors: dict[type, Any] = {}
    _children: dict[type, tuple[str, ...]] = {}

    def visit(self, node: ast.AST) -> None:
        cls = type(node)
        try:
            method = self._visitors[cls]
        except KeyError:
            method = self._visitors[cls] = getattr(type(self), f"visit_{cls.__name__}", None)
        if method is None:
            self.generic_visit(node)
        else:
            method(self, node)

    def generic_visit(self, node: ast.AST) -> None:
        cls = type(node)
        fields = self._children.get(cls)
        if fields is None:
            fields = self._children[cls] = tuple(f for f in cls._fields if f not in LEAF_FIELDS)
        for name in fields:
            value = getattr(node, name, None)
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        self.visit(item)
            elif isinstance(value, ast.AST):
                self.visit(value)

    def __init__(self, module: str, is_package: bool):
        self.module = module
        self.package = module if is_package else module.rpartition(".")[0]
        self.scopes: dict[str, dict[str, Any]] = {}
        self.calls: list[list[Any]] = []
        self.gates: list[dict[str, Any]] = []
        self.attr_loads: list[list[Any]] = []
        self.attr_stores: list[list[Any]] = []  # [scope, expr, line] of `obj.attr = ...` (property setters)
        self.name_loads: list[list[Any]] = []
        #: names that stand for what they hold while a comprehension's parts are read (`_listed`)
        self.substitutes: dict[str, tuple] = {}
        self.ns_defaults: list[list[Any]] = []  # [scope, name, expr] of `parser.set_defaults(name=expr)`
        self.seen_names: set[tuple[str, str]] = set()
        self.words: set[str] = set()
        self.annotations: list[list] = []  # [scope, scope of the user, name or attribute] in type annotations
        self.star_imports: list[str] = []
        self.all: list[str] | None = None
        self.main_block = 0
        self.scope = ""
        self.class_scope: str | None = None  # innermost enclosing class of the current function
        self.pos: list[int] = []  # [list_id, index, ...] of the statement being visited
        self.cond = 0  # >0 while inside conditionally evaluated sub-expressions
        self.lists = 0
        self.lambda_counts: dict[str, int] = {}
        self.test_calls: list[int] | None = None  # collects call indices while visiting an if-test
        self.negated = 0
        self.joins = 0  # AND/OR: the test being visited is an operand of an (effective) `and`/`or`
        self._values: dict[int, tuple[ast.AST, tuple]] = {}  # id of an expression node -> it, its value (`expr`)
        self._depth = 0  # values of operands being worked out (`expr`)
        self.straight = StraightLine(self.scopes, self.seen_names)

    # ---- scopes -------------------------------------------------------------------------------
    def _new_scope(self, q: str, kind: str, node: ast.AST, parent: str | None, **extra) -> dict:
        entry = {"kind": kind, "line": getattr(node, "lineno", 1), "end": getattr(node, "end_lineno", 1) or 1,
                 "parent": parent, "names": {}, **extra}
        self.scopes[q] = entry
        return entry

    def _qual(self, name: str) -> str:
        return f"{self.scope}.{name}" if self.scope else name

    def _bind(self, name: str, expr: tuple, scope: str | None = None) -> None:
        target = self.scope if scope is None else scope
        if name in self.scopes[target].get("globals", ()):
            target = ""
        self.scopes[target]["names"].setdefault(name, []).append(expr)
        self.straight.forget(target, name)

    def _in_order(self) -> bool:
        """Whether the statement being walked is at the top level of its scope (`StraightLine`)."""
        return len(self.pos) == 2 and not self.cond

    def _callee(self, node: ast.AST) -> tuple:
        """The value of a callee: what straight-line code last bound it to, if known, else `expr`'s."""
        found = self.straight.callee(self.scope, node) if self._in_order() else None
        return self.expr(node) if found is None else found

    # ---- expressions --------------------------------------------------------------------------
    def expr(self, node: ast.AST | None) -> tuple:
        """The symbolic value of NODE (does not record calls). Memoised: a visit asks for the value of
        an operand that the visit of its own node asks for again, which on a chain of N operators
        (`a + b + ...`, generated code) would cost N² without it."""
        known = self._values.get(id(node))
        if known is None:  # the node is kept with its value: its id is not reused for another node (one
            if self._depth >= EXPRESSION_DEPTH:  # parsed from a string annotation)
                return UNKNOWN
            self._depth += 1
            try:
                known = self._values[id(node)] = (node, self._value(node))
            finally:
                self._depth -= 1
        return known[1]

    def _value(self, node: ast.AST | None) -> tuple:
        """NODE's value, worked out by the method for its type (`EXPRESSIONS`)."""
        method = EXPRESSIONS.get(type(node))
        return UNKNOWN if method is None else method(self, node)

    def _name(self, node: ast.Name) -> tuple:
        return self.substitutes.get(node.id) or (Tag.NAME, node.id) if self.substitutes else (Tag.NAME, node.id)

    def _attribute(self, node: ast.Attribute) -> tuple:
        return (Tag.ATTR, self.expr(node.value), node.attr)

    def _constant(self, node: ast.Constant) -> tuple:
        if isinstance(node.value, str):
            return (Tag.STR, node.value)
        return (Tag.INT, node.value) if type(node.value) is int else UNKNOWN

    def _call(self, node: ast.Call) -> tuple:
        f = node.func
        special = self._special_call(node)
        if special is not None:
            return special
        if isinstance(f, ast.Name) and f.id == "getattr" and len(node.args) >= 2:
            return (Tag.GETATTR, *[self.expr(a) for a in node.args[:3]])
        if isinstance(f, ast.Attribute) and f.attr == "get" and 1 <= len(node.args) <= 2 \
                and self.expr(f.value) == (Tag.GLOBALS,):  # `globals().get("handle_" + kind, default)`
            found = (Tag.GLOBAL, self.expr(node.args[0]))
            return (Tag.LIST, (found, self.expr(node.args[1])), 1) if len(node.args) == 2 else found
        if isinstance(f, ast.Attribute) and f.attr in CONTAINER_METHODS:
            return (Tag.CONTAINER_METHOD, self.expr(f.value), f.attr, tuple(self.expr(a) for a in node.args))
        if isinstance(f, ast.Name) and f.id == "super":
            return (Tag.SUPER, self.class_scope or "")
        if isinstance(f, ast.Name) and f.id in ("globals", "locals", "vars") and not node.args:
            return (Tag.GLOBALS,)
        if node.args and _class_like(node.args[0]):  # `container.resolve(IVenue)`: see Index._type_bound
            return (Tag.CALL, self.expr(f), self.expr(node.args[0]))
        return (Tag.CALL, self.expr(f))

    def _subscript(self, node: ast.Subscript) -> tuple:
        v = self.expr(node.value)
        if v == (Tag.GLOBALS,):
            return (Tag.GLOBAL, self.expr(node.slice))
        if isinstance(node.slice, ast.Slice):  # a new sequence of (some of) the elements
            bounds = [b.value if isinstance(b, ast.Constant) and type(b.value) is int else None if b is None else ""
                      for b in (node.slice.lower, node.slice.upper, node.slice.step)]
            if v[0] == Tag.NAME and "" not in bounds and bounds[2] is None:
                return (Tag.SLICE, v, bounds[0], bounds[1])
            return (Tag.LIST, ((Tag.ITEM, v),))
        return (Tag.SUBSCRIPT, v, self.expr(node.slice))

    def _dict(self, node: ast.Dict) -> tuple:
        d = {}
        for k, v in zip(node.keys, node.values):
            if isinstance(k, ast.Constant) and isinstance(k.value, (str, int)) and not isinstance(k.value, bool):
                d[k.value if isinstance(k.value, str) else f"#{k.value}"] = self.expr(v)  # 1 and "1" differ
            elif v is not None:
                d[f"?{len(d)}"] = self.expr(v)
        return (Tag.DICT, tuple(d.items()))

    def _sequence(self, node: ast.List | ast.Tuple | ast.Set) -> tuple:
        if not node.elts and isinstance(node, ast.List):  # `[]`: a list of its own (see `_empty`)
            return (Tag.LIST, (_empty(node),))
        return (Tag.LIST, tuple((Tag.ITEM, self.expr(e.value)) if isinstance(e, ast.Starred) else self.expr(e)
                                for e in node.elts))

    def _binop(self, node: ast.BinOp) -> tuple:
        left = self.expr(node.left)
        if isinstance(node.op, ast.Add) and left[0] == Tag.STR and isinstance(left[1], str):
            return (Tag.PREFIX, left[1], "", self.expr(node.right))
        if isinstance(node.op, ast.Add) and left[0] == Tag.PREFIX:
            return (Tag.PREFIX, left[1])
        dunder = BINOP_DUNDER.get(type(node.op))
        return (Tag.CALL, (Tag.ATTR, left, dunder)) if dunder else UNKNOWN

    def _fstring(self, node: ast.JoinedStr) -> tuple:
        parts = [ast.Constant(self.module) if _names_module(p) else p for p in node.values]
        prefix = suffix = ""
        while parts and isinstance(parts[0], ast.Constant):
            prefix += str(parts.pop(0).value)
        while parts and isinstance(parts[-1], ast.Constant):
            suffix = str(parts.pop().value) + suffix
        if not parts:
            return (Tag.STR, prefix)
        if len(parts) == 1 and isinstance(parts[0], ast.FormattedValue) and parts[0].format_spec is None \
                and parts[0].conversion in (-1, ord("s")):  # prefix + str(x) + suffix
            return (Tag.PREFIX, prefix, suffix, self.expr(parts[0].value))
        return (Tag.PREFIX, prefix, suffix) if suffix else (Tag.PREFIX, prefix)

    def _ifexp(self, node: ast.IfExp) -> tuple:
        return (Tag.LIST, (self.expr(node.body), self.expr(node.orelse)), 1)

    def _boolop(self, node: ast.BoolOp) -> tuple:
        return (Tag.LIST, tuple(self.expr(v) for v in node.values), 1)

    def _lambda(self, node: ast.Lambda) -> tuple:
        return (Tag.DEF, self._lambda_name(node))

    def _elements(self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp) -> tuple:
        saved = self._listed(node)
        value = (Tag.LIST, (self.expr(node.elt),))  # its elements: the element expression over the loop
        self.substitutes = saved
        return value

    def _dictcomp(self, node: ast.DictComp) -> tuple:
        saved = self._listed(node)
        value = (Tag.DICT, (("?0", self.expr(node.value)),))
        self.substitutes = saved
        return value

    def _inner(self, node: ast.NamedExpr | ast.Await | ast.Starred) -> tuple:
        return self.expr(node.value)

    def _special_call(self, node: ast.Call) -> tuple | None:
        """The value of a call whose result the analysis knows by the callee's name: `cast(T, x)` is x,
        `vars(ns)` is ns, `partial(f, ...)` calls f, `sorted(xs)`/`zip(a, b)`/`enumerate(xs)` hold the
        elements of their arguments, `type(x)` is x's class, `parse_args()` an argparse namespace, `import_module(name)` a module."""
        f = node.func
        getter = _attr_getter(node)
        if getter is not None:  # `attrgetter(name)(obj)` is `getattr(obj, name)`
            return (Tag.GETATTR, self.expr(node.args[0]), self.expr(getter.args[0]))
        name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None
        args = node.args
        if name is None or any(isinstance(a, ast.Starred) for a in args):
            return None
        if name == "cast" and len(args) == 2:
            return self.expr(args[1])
        if name in ("parse_args", "parse_intermixed_args") and isinstance(f, ast.Attribute):
            return (Tag.NAMESPACE,)
        if name in ("parse_known_args", "parse_known_intermixed_args") and isinstance(f, ast.Attribute):
            return (Tag.LIST, ((Tag.NAMESPACE,), UNKNOWN))
        if name == "import_module" and args:
            return (Tag.IMPORT_MODULE, self.expr(args[0]))
        if name == "__import__" and args and (len(args) >= 4 and _given(args[3]) or any(
                k.arg == "fromlist" and _given(k.value) for k in node.keywords)):  # with a fromlist: the module
            return (Tag.IMPORT_MODULE, self.expr(args[0]))
        if name in EMPTY_CONTAINERS and not node.keywords and len(args) <= (name == "defaultdict"):
            # `dict()`, `collections.OrderedDict()`, `defaultdict(list)`: an empty container of its own
            # (the unknown element, named after its place, keeps two of them apart) that item
            # stores and appends reach, like `{}` and `[]`
            empty = _empty(node)
            if name == "defaultdict" and args and isinstance(args[0], ast.Name) and args[0].id in EMPTY_CONTAINERS:
                # `defaultdict(list)`: each missing key gets an empty list, which `d[k].append(v)` fills
                inner = (Tag.UNKNOWN, f"{empty[1]}:default")
                empty = (Tag.DICT, (("?0", inner),)) if EMPTY_CONTAINERS[args[0].id] == Tag.DICT else (Tag.LIST, (inner,))
            return (Tag.DICT, (("?0", empty),)) if EMPTY_CONTAINERS[name] == Tag.DICT else (Tag.LIST, (empty,))
        if name in ("copy", "deepcopy") and len(args) == 1 and not node.keywords \
                and (isinstance(f, ast.Name) or isinstance(f.value, ast.Name) and f.value.id == "copy"):
            return self.expr(args[0])  # `copy.copy(x)`: an object of x's class, with x's attributes
        if name in DEPENDENCY_MARKERS and args:  # `venue: Venue = Depends(get_venue)`: what get_venue returns
            return (Tag.CALL, self.expr(args[0]))
        if name in HEAP_POPS and args:  # `heapq.heappop(queue)`: an item pushed onto the queue
            return (Tag.ITEM, self.expr(args[0]))
        if name == "__subclasses__" and isinstance(f, ast.Attribute) and not args:  # a list of its subclasses
            return (Tag.LIST, ((Tag.CLASS, self.expr(f.value), "sub"),))
        if name == "reduce" and len(args) == 2 and not any(isinstance(a, ast.Starred) for a in args):
            # `functools.reduce(f, xs)`: what f returns (or, were xs one element long, that element:
            # left out, it would make every element a result of composing them, `reduce(compose, mws)`)
            return (Tag.CALL, self.expr(args[0]))
        if name == "reduce" and len(args) == 3 and not any(isinstance(a, ast.Starred) for a in args):
            return (Tag.LIST, ((Tag.CALL, self.expr(args[0])), self.expr(args[2])), 1)  # or init
        if not isinstance(f, ast.Name) and name != "partial":
            return None
        if name == "partial" and args:
            starred = any(isinstance(a, ast.Starred) for a in args[1:])
            return (Tag.PARTIAL, self.expr(args[0]), 0 if starred else len(args) - 1)
        if name == "vars" and len(args) == 1:
            return self.expr(args[0])
        if name == "type" and len(args) == 1:
            return (Tag.TYPE_OF, self.expr(args[0]))
        if name in ELEMENT_BUILTINS and args and len(args) <= 2:
            return (Tag.LIST, ((Tag.ITEM, self.expr(args[-1])),))
        if name == "next" and args:
            return (Tag.ITEM, self.expr(args[0]))
        if name == "enumerate" and args:
            return (Tag.LIST, ((Tag.LIST, (UNKNOWN, (Tag.ITEM, self.expr(args[0])))),))
        if name == "zip" and args:
            return (Tag.LIST, ((Tag.LIST, tuple((Tag.ITEM, self.expr(a)) for a in args)),))
        return None

    def _lambda_name(self, node: ast.Lambda) -> str:
        key = id(node)
        names = self.__dict__.setdefault("_lambda_names", {})
        if key not in names:
            n = self.lambda_counts.get(self.scope, 0) + 1
            self.lambda_counts[self.scope] = n
            names[key] = self._qual(f"<lambda{n}>")
        return names[key]

    # ---- calls --------------------------------------------------------------------------------
    def _record_call(self, node: ast.AST, callee: tuple, args: list, kwargs: dict, tag: str | None = None) -> None:
        idx = len(self.calls)
        # the fields of `Call`, in its order (a plain list: building the record by keyword costs a
        # fifth of the summariser's time)
        self.calls.append([self.scope, callee, node.lineno, node.col_offset + 1,
                           getattr(node, "end_lineno", node.lineno), (getattr(node, "end_col_offset", 0) or 0) + 1,
                           1 if self.cond else 0, list(self.pos), args, kwargs, tag])
        if self.test_calls is not None and tag is None:
            self.test_calls.append([idx, self.negated % 2, self.joins])

    def _dunder(self, node: ast.AST, obj: tuple, name: str, args: list | None = None, tag: str = "dunder") -> None:
        self._record_call(node, (Tag.ATTR, obj, name), args or [], {}, tag)

    def _iteration(self, node: ast.AST, iterable: tuple, tag: str = "dunder") -> None:
        """`for` over ITERABLE calls its __iter__, then __next__ on what that returns."""
        self._dunder(node, iterable, "__iter__", tag=tag)
        self._dunder(node, (Tag.CALL, (Tag.ATTR, iterable, "__iter__")), "__next__", tag=tag)

    def _truth(self, test: ast.AST) -> None:
        """A truth test of a name or attribute calls its __bool__."""
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            test = test.operand
        if isinstance(test, (ast.Name, ast.Attribute)):
            self._dunder(test, self.expr(test), "__bool__")

    def visit_Call(self, node: ast.Call) -> None:
        f = node.func
        updated = self.straight.claim_call(self.scope, f) if self._in_order() else None
        self.generic_visit(node)  # first, so that lambdas in the arguments are numbered in source order
        if isinstance(f, ast.Name) and f.id == "getattr" and len(node.args) >= 2:
            callee = (Tag.NAME, "getattr")  # the getattr call itself; the result's call is recorded by the outer Call
        else:
            callee = self._callee(f)
        args = [(Tag.STARRED, self.expr(a.value)) if isinstance(a, ast.Starred) else self.expr(a) for a in node.args]
        kwargs = {k.arg or f"**{i}": self.expr(k.value) for i, k in enumerate(node.keywords)}
        caller = _method_caller(node)
        if caller is not None:  # `methodcaller("fmt_" + kind, a)(obj)` is `getattr(obj, "fmt_" + kind)(a)`
            callee = (Tag.GETATTR, self.expr(node.args[0]), self.expr(caller.args[0]))
            args = [(Tag.STARRED, self.expr(a.value)) if isinstance(a, ast.Starred) else self.expr(a)
                    for a in caller.args[1:]]
            kwargs = {k.arg or f"**{i}": self.expr(k.value) for i, k in enumerate(caller.keywords)}
        self._record_call(node, callee, args, kwargs)
        if isinstance(f, ast.Name) and f.id == "type" and len(args) == 3:  # a class made by a call: its
            self._record_call(node, (Tag.METACLASS, args[1]), [], {}, "dunder")  # bases' metaclass runs
        if updated is not None:
            self.straight.update(self.scope, updated, args, kwargs)
        if isinstance(f, ast.Name) and f.id in ("globals", "locals", "vars") and not node.args:
            self.straight.disable(self.scope)
        if isinstance(f, ast.Attribute) and f.attr == "set_defaults":  # argparse: `args.func` is one of these
            self.ns_defaults += [[self.scope, k, v] for k, v in kwargs.items() if not k.startswith("**")]
        if isinstance(f, ast.Attribute) and f.attr in STORES and args:
            self._container_store(f, f.attr, args, kwargs)
        elif (f.id if isinstance(f, ast.Name) else getattr(f, "attr", "")) in HEAP_PUSHES and len(args) == 2:
            self.scopes[self.scope].setdefault("items", []).append((args[0], UNKNOWN, args[1]))  # onto the heap
        elif isinstance(f, ast.Name) and args and not isinstance(node.args[0], ast.Starred):
            if f.id in BUILTIN_DUNDERS:
                self._dunder(node, args[0], BUILTIN_DUNDERS[f.id], tag=f"bi:{f.id}")
            elif f.id in ITERATING_BUILTINS:
                self._iteration(node, args[0], tag=f"bi:{f.id}")
            elif f.id == "setattr" and len(args) == 3 and args[1][0] == Tag.STR:
                self._bind_target(ast.Attribute(value=node.args[0], attr=args[1][1], ctx=ast.Store()), args[2])

    def _container_store(self, f: ast.Attribute, method: str, args: list, kwargs: dict) -> None:
        """`x.append(v)`, `x.update(d)`, `x.setdefault(k, v)`: V is stored in container X."""
        how = STORES[method]
        if how == "key":
            key, value = args[0], args[1] if len(args) > 1 else UNKNOWN
        else:
            key, value = UNKNOWN, (Tag.ITEM, args[-1]) if how == "all" else args[-1]
        items = self.scopes[self.scope].setdefault("items", [])
        items.append((self.expr(f.value), key, value))
        if method == "update":
            items.extend((self.expr(f.value), (Tag.STR, k), v) for k, v in kwargs.items() if not k.startswith("**"))

    def visit_BinOp(self, node: ast.BinOp) -> None:
        dunder = BINOP_DUNDER.get(type(node.op))
        if dunder:
            self._dunder(node, self.expr(node.left), dunder, [self.expr(node.right)])
        self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if isinstance(node.ctx, (ast.Load, ast.Del)) and isinstance(node.value, (ast.Name, ast.Attribute, ast.Subscript)):
            dunder = "__getitem__" if isinstance(node.ctx, ast.Load) else "__delitem__"  # `del x[k]`
            self._dunder(node, self.expr(node.value), dunder, [self.expr(node.slice)])
        self.generic_visit(node)

    def visit_FormattedValue(self, node: ast.FormattedValue) -> None:
        """`f"{x}"` calls x.__str__ (through object.__format__), `f"{x!r}"` x.__repr__."""
        if isinstance(node.value, (ast.Name, ast.Attribute)):
            self._dunder(node.value, self.expr(node.value), "__repr__" if node.conversion in (ord("r"), ord("a")) else "__str__")
        self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> None:
        dunder = CMP_DUNDER.get(type(node.ops[0]))
        if dunder:
            target = node.comparators[0] if dunder == "__contains__" else node.left
            self._dunder(node, self.expr(target), dunder)
        flips = _flips(node)
        self.negated += flips
        self.generic_visit(node)
        self.negated -= flips

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            self.words.add(node.id)
            key = (self.scope, node.id)
            if key not in self.seen_names:
                self.seen_names.add(key)
                self.name_loads.append([self.scope, node.id, node.lineno])
            self.straight.loaded(self.scope, node)
        else:  # bound or deleted (`for`, `with`, `+=`, `del`)
            self.straight.forget(self.scope, node.id)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if isinstance(node.ctx, ast.Load):
            self.words.add(node.attr)
            self.attr_loads.append([self.scope, self.expr(node), node.lineno])
        elif isinstance(node.ctx, ast.Store):
            self.attr_stores.append([self.scope, self.expr(node), node.lineno])
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and node.value.isidentifier() and len(node.value) < 80:
            self.words.add(node.value)

    def _conditional(self, nodes) -> None:
        self.cond += 1
        for n in nodes:
            self.visit(n)
        self.cond -= 1

    def visit_BoolOp(self, node: ast.BoolOp) -> None:
        saved = self.joins
        self.joins |= _join(node, self.negated)
        self.visit(node.values[0])
        self._conditional(node.values[1:])
        self.joins = saved

    def visit_IfExp(self, node: ast.IfExp) -> None:
        start = len(self.calls)
        saved, self.test_calls = self.test_calls, []
        self.visit(node.test)
        tests, self.test_calls = self.test_calls, saved
        self._truth(node.test)
        self._gate(tests, "ifexp", _span([node.body]), _span([node.orelse]), None, start, self._chains(node.test))
        self._conditional([node.body, node.orelse])

    def visit_UnaryOp(self, node: ast.UnaryOp) -> None:
        if isinstance(node.op, ast.Not):
            self.negated += 1
            self.visit(node.operand)
            self.negated -= 1
        else:
            self.generic_visit(node)

    def _comprehension(self, node) -> None:
        first, *more = node.generators
        self.visit(first.iter)
        self.cond += 1
        for i, gen in enumerate(node.generators):
            if i:
                self.visit(gen.iter)
            self._iteration(gen.iter, self.expr(gen.iter))
            self._bind_target(gen.target, (Tag.ITEM, self.expr(gen.iter)))
        saved = self._listed(node)
        for gen in node.generators:
            for cond in gen.ifs:
                self.visit(cond)
        for part in (getattr(node, "elt", None), getattr(node, "key", None), getattr(node, "value", None)):
            if part is not None:
                self.visit(part)
        self.substitutes = saved
        self.cond -= 1

    def _listed(self, node) -> dict[str, tuple]:
        """Make the names comprehension NODE takes from a listing of an object's members that start
        with a prefix (`for n in dir(obj) if n.startswith("do_")`, `inspect.getmembers`) stand for
        what they hold while its parts are read: `(Tag.PREFIX, "do_")`, `getattr(obj, "do_" + ...)`.
        Returns the substitutes to restore after."""
        saved = self.substitutes
        for gen in node.generators:
            listed = _member_listing(gen)
            if listed is not None:
                obj, prefix = listed
                name = (Tag.PREFIX, prefix)
                target = gen.target
                if isinstance(target, ast.Name):
                    self.substitutes = {**self.substitutes, target.id: name}
                else:
                    self.substitutes = {**self.substitutes, target.elts[0].id: name,
                                        target.elts[1].id: (Tag.GETATTR, self.expr(obj), name)}
        return saved

    visit_ListComp = visit_SetComp = visit_GeneratorExp = visit_DictComp = _comprehension

    def visit_Lambda(self, node: ast.Lambda) -> None:
        q = self._lambda_name(node)
        for d in node.args.defaults + node.args.kw_defaults:
            if d is not None:
                self.visit(d)
        entry = self._new_scope(q, "lambda", node, self.scope, body=node.body.lineno,
                                params=self._params(node.args), decorators=[], returns=[],
                                return_lines=[[node.body.lineno, node.body.end_lineno]])
        self._defaults(entry, node.args)
        self._in_scope(q, [node.body])
        entry["returns"].append(self.expr(node.body))  # after: a lambda in the body is named in its scope

    # ---- statements ---------------------------------------------------------------------------
    def _visit_list(self, body: list[ast.stmt]) -> None:
        self.lists += 1
        lid = self.lists
        for i, stmt in enumerate(body):
            self.pos.extend((lid, i))
            gates = len(self.gates)
            self.visit(stmt)
            del self.pos[-2:]
            for g in self.gates[gates:]:  # an early-return guard gates the statements after it
                if g["rest"] is not None and g["pos"] == self.pos + [lid, i]:
                    g["rest"] = [body[i + 1].lineno, body[-1].end_lineno] if i + 1 < len(body) else None

    def _in_scope(self, q: str, body, cls: str | None = None) -> None:
        saved = (self.scope, self.pos, self.cond, self.test_calls, self.negated, self.joins, self.class_scope)
        self.scope, self.pos, self.cond, self.test_calls, self.negated, self.joins = q, [], 0, None, 0, 0
        if cls is not None:
            self.class_scope = cls
        if body and isinstance(body[0], ast.stmt):
            self._visit_list(body)
        else:
            for n in body:
                self.visit(n)
        self.scope, self.pos, self.cond, self.test_calls, self.negated, self.joins, self.class_scope = saved

    def _params(self, args: ast.arguments) -> list[str]:
        names = [a.arg for a in args.posonlyargs + args.args]
        names += [f"*{args.vararg.arg}"] if args.vararg else ["*"] if args.kwonlyargs else []
        names += [a.arg for a in args.kwonlyargs]
        names += [f"**{args.kwarg.arg}"] if args.kwarg else []
        return names

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        q = self._qual(node.name)
        registers = [d for d in node.decorator_list
                     if isinstance(d.func if isinstance(d, ast.Call) else d, ast.Attribute)
                     and (d.func if isinstance(d, ast.Call) else d).attr == "register"]
        if q in self.scopes and registers:  # `@generic.register def _(x: T)`: one implementation each
            q = self._qual(_registered_name(node, registers[0], lambda n: self._qual(n) in self.scopes))
        for d in node.decorator_list:
            self.visit(d)
        for d in node.args.defaults + node.args.kw_defaults:
            if d is not None:
                self.visit(d)
        decorators = [self.expr(d) for d in node.decorator_list]
        in_class = self.scopes[self.scope]["kind"] == "class"
        previous = self.scopes.get(q) if self.scopes.get(q, {}).get("kind") == "function" else None
        entry = self._new_scope(q, "function", node, self.scope, body=_first_stmt_line(node.body),
                                params=self._params(node.args), decorators=decorators, returns=[],
                                method=in_class, deco_lines=[d.lineno for d in node.decorator_list])
        if previous:  # a redefinition (a property's setter, a conditional def) shares the name
            entry["decorators"] = previous["decorators"] + decorators
            entry["returns"] = previous["returns"]
            if "return_lines" in previous:
                entry["return_lines"] = previous["return_lines"]
            entry["names"] = previous["names"]
        ann = {}
        for a in node.args.posonlyargs + node.args.args + node.args.kwonlyargs:
            if a.annotation is not None:
                t = self._annotation(a.annotation)
                if t is not None:
                    ann[a.arg] = t
        if ann:
            entry["ann"] = ann
        if _is_stub(node.body):
            entry["stub"] = True
            first = node.body[0]
            if len(node.body) == 1 and isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
                    and isinstance(first.value.value, str):  # a docstring alone: coverage records
                entry["bare"] = True  # no line of its body, only the arc into it
        arguments = node.args.posonlyargs + node.args.args + node.args.kwonlyargs + [node.args.vararg, node.args.kwarg]
        for a in [a.annotation for a in arguments if a is not None] + [node.returns]:
            self._annotated(q, a)
        returned = self._annotation(node.returns) if node.returns is not None else None
        if returned is not None:
            entry["rann"] = returned
        self._defaults(entry, node.args)
        # decorators are applied by the enclosing scope, innermost first
        value: tuple = (Tag.DEF, q)
        for d in reversed(node.decorator_list):
            self._record_call(d, self._callee(d), [value], {}, "dec")
            value = (Tag.DECORATED, self._callee(d), value)
        self._bind(node.name, value)
        self._in_scope(q, node.body, cls=None)

    visit_AsyncFunctionDef = visit_FunctionDef

    def _defaults(self, entry: dict, args: ast.arguments) -> None:
        pairs = list(zip(reversed(args.defaults), reversed(args.posonlyargs + args.args)))
        pairs += [(d, a) for d, a in zip(args.kw_defaults, args.kwonlyargs) if d is not None]
        if pairs:
            entry["defaults"] = {a.arg: self.expr(d) for d, a in pairs}
            depends = [self.expr(d.args[0]) for d, _ in pairs if isinstance(d, ast.Call) and d.args
                       and (getattr(d.func, "id", None) or getattr(d.func, "attr", None)) in DEPENDENCY_MARKERS]
            if depends:  # FastAPI calls each before the function: `qty: int = Depends(checked_qty)`
                entry["depends"] = depends

    def _annotated(self, user: str, node: ast.AST | None) -> None:
        """Record the names a type annotation uses (inside strings, subscripts and unions too): a type
        used only there is alive when USER is."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                node = ast.parse(node.value, mode="eval").body
            except (SyntaxError, ValueError, RecursionError):
                return
        if isinstance(node, (ast.Name, ast.Attribute)):
            self.annotations.append([self.scope, user, self.expr(node)])
        elif node is not None:
            for child in ast.iter_child_nodes(node):
                self._annotated(user, child)

    def _annotation(self, node: ast.AST | None) -> tuple | None:
        """The value an annotation promises: `("t", cls)` for a class, a literal container of such for
        `list[X]`/`dict[str, X]`, either of the parts of a union; None when it says nothing usable."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):  # a forward reference
            try:
                node = ast.parse(node.value, mode="eval").body
            except SyntaxError:
                return None
        if isinstance(node, (ast.Name, ast.Attribute)):
            return (Tag.INSTANCE, self.expr(node))
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            return self._union([node.left, node.right])
        if not isinstance(node, ast.Subscript) or not isinstance(node.value, (ast.Name, ast.Attribute)):
            return None
        head = node.value.id if isinstance(node.value, ast.Name) else node.value.attr
        parts = list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]
        if head in TRANSPARENT_TYPES:
            return self._annotation(parts[0])
        if head == "Union":
            return self._union(parts)
        if head in ("type", "Type") and isinstance(parts[0], (ast.Name, ast.Attribute)):
            return (Tag.CLASS, self.expr(parts[0]))
        if head in SEQUENCE_TYPES:
            elts = [t for t in (self._annotation(p) for p in parts) if t is not None]
            return (Tag.LIST, tuple(elts)) if elts else None
        if head in MAPPING_TYPES:
            value = self._annotation(parts[-1])
            return (Tag.DICT, (("?0", value),)) if value is not None else None
        if head in ("Callable", "Literal"):
            return None
        return (Tag.INSTANCE, self.expr(node.value))  # a generic class of the project: `Box[int]`

    def _union(self, parts: list[ast.AST]) -> tuple | None:
        found = [t for t in (self._annotation(p) for p in parts
                             if not (isinstance(p, ast.Constant) and p.value is None)) if t is not None]
        if len(found) > 1:
            return (Tag.LIST, tuple(found), 1)
        return found[0] if found else None

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        q = self._qual(node.name)
        for n in node.bases + [k.value for k in node.keywords] + node.decorator_list:
            self.visit(n)
        # the class statement calls its metaclass (its __new__ and __init__), named or inherited
        meta = next((k.value for k in node.keywords if k.arg == "metaclass"), None)
        if meta is not None:
            self._record_call(node, self.expr(meta), [], {}, "dunder")
        elif node.bases:
            self._record_call(node, (Tag.METACLASS, (Tag.DEF, q)), [], {}, "dunder")
        if node.bases:  # and the first __init_subclass__ on its bases' MRO, with the class keywords
            self._record_call(node, (Tag.ATTR, (Tag.SUPER, q), "__init_subclass__"), [],
                              {k.arg: self.expr(k.value) for k in node.keywords if k.arg and k.arg != "metaclass"},
                              "dunder")
        self._new_scope(q, "class", node, self.scope, body=_first_stmt_line(node.body),
                        bases=[self.expr(b.value if isinstance(b, ast.Subscript) else b) for b in node.bases],
                        decorators=[self.expr(d) for d in node.decorator_list], attrs={},
                        deco_lines=[d.lineno for d in node.decorator_list],
                        **({"metaclass": self.expr(meta)} if meta is not None else {}))
        value: tuple = (Tag.DEF, q)
        for d in reversed(node.decorator_list):
            self._record_call(d, self._callee(d), [value], {}, "dec")
            value = (Tag.DECORATED, self._callee(d), value)
        self._bind(node.name, value)
        self._in_scope(q, node.body, cls=q)

    def _bind_target(self, target: ast.AST, value: tuple) -> None:
        if isinstance(target, ast.Name):
            self._bind(target.id, value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            elts = value[1] if value[0] == Tag.LIST and len(value[1]) == len(target.elts) else None
            if value[0] == Tag.ITEM and value[1][0] == Tag.LIST and len(value[1][1]) == 1 and value[1][1][0][0] == Tag.LIST \
                    and len(value[1][1][0][1]) == len(target.elts):  # `for a, b in zip(xs, ys)`: a from xs, b from ys
                elts = value[1][1][0][1]
            for i, t in enumerate(target.elts):
                self._bind_target(t, elts[i] if elts else (Tag.ITEM, value))
        elif isinstance(target, ast.Starred):
            self._bind_target(target.value, (Tag.LIST, ((Tag.ITEM, value),)))
        elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
            owner = self._self_class(target.value.id)
            if owner is not None:
                self.scopes[owner]["attrs"].setdefault(target.attr, []).append((self.scope, value))
            else:
                self.scopes[self.scope].setdefault("setattrs", []).append((target.value.id, target.attr, value))
        elif isinstance(target, ast.Subscript) and isinstance(target.value, (ast.Name, ast.Attribute, ast.Subscript)):
            key = self.expr(target.slice)
            self.scopes[self.scope].setdefault("items", []).append((self.expr(target.value), key, value))
            self._dunder(target, self.expr(target.value), "__setitem__", [key, value])

    def _self_class(self, name: str) -> str | None:
        """The class whose instance NAME is, when NAME is a method's first parameter."""
        entry = self.scopes.get(self.scope)
        if not entry or entry["kind"] != "function" or not entry.get("method"):
            return None
        params = entry["params"]
        if params and params[0] == name and entry["parent"] and self.scopes[entry["parent"]]["kind"] == "class":
            return entry["parent"]
        return None

    def visit_Assign(self, node: ast.Assign) -> None:
        start = len(self.calls)
        self.visit(node.value)
        value = self.expr(node.value)
        single = node.targets[0] if len(node.targets) == 1 else None
        if isinstance(single, ast.Name):
            self._value_reads(single.id, node.value)
            self._held_call(single.id, node.value, start)
        in_order = self._in_order()
        item = self.straight.claim_store(self.scope, single) if in_order and single is not None else None
        for t in node.targets:
            self.visit(t)
            self._bind_target(t, value)
        if item is not None:
            self.straight.store(self.scope, *item, value)
        elif in_order and isinstance(single, ast.Name):
            self.straight.assigned(self.scope, single.id, value)
        for t in node.targets:
            if isinstance(t, ast.Name) and t.id == "__all__" and self.scope == "" and value[0] == Tag.LIST \
                    and isinstance(node.value, (ast.List, ast.Tuple)):  # a computed one names what it may
                self.all = [e[1] for e in value[1] if e[0] == Tag.STR]

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        entry = self.scopes[self.scope]
        in_class = entry["kind"] == "class"
        if node.value is not None:
            self.visit(node.value)
            value = self.expr(node.value)
            if in_class and isinstance(node.value, ast.Call):
                value = self._field_value(node.value, value, node.target)
            elif isinstance(node.target, ast.Name):
                self._value_reads(node.target.id, node.value)
            self._bind_target(node.target, value)
        self._annotated(self.scope, node.annotation)
        t = self._annotation(node.annotation)
        if in_class and isinstance(node.target, ast.Name):
            # a field: instances hold the annotated type (and what the generated __init__ is passed)
            if not _is_classvar(node.annotation):
                entry.setdefault("fields", []).append(node.target.id)
            if t is not None:
                entry["attrs"].setdefault(node.target.id, []).append((self.scope, t))
        elif t is not None and isinstance(node.target, (ast.Name, ast.Attribute)):
            self._bind_target(node.target, t)
        self.visit(node.target)

    def _field_value(self, call: ast.Call, value: tuple, target: ast.AST) -> tuple:
        """`field(default_factory=F)` (dataclasses, attrs, pydantic): the field holds what F returns."""
        f = call.func
        name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
        if name not in FIELD_SPECIFIERS:
            return value
        for k in call.keywords:
            if k.arg in ("default_factory", "factory"):  # called by the generated __init__
                if isinstance(k.value, ast.Name) and k.value.id in EMPTY_CONTAINERS:
                    # a container of its own, that appends and item stores reach (the unknown
                    # element named after the field keeps two fields' containers apart)
                    empty = (Tag.UNKNOWN, getattr(target, "id", ""))
                    return (Tag.DICT, (("?0", empty),)) if EMPTY_CONTAINERS[k.value.id] == Tag.DICT else (Tag.LIST, (empty,))
                self.scopes[self.scope].setdefault("factories", []).append(self.expr(k.value))
                return (Tag.CALL, self.expr(k.value))
            if k.arg == "default":
                return self.expr(k.value)
        return UNKNOWN

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        """`(parent := self.parent) and parent.m()`: the name holds the value from here on."""
        self.generic_visit(node)
        self._bind_target(node.target, self.expr(node.value))

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self.generic_visit(node)
        if isinstance(node.target, ast.Name) and self.scope == "" and node.target.id == "__all__":
            value = self.expr(node.value)
            if value[0] == Tag.LIST and self.all is not None:
                self.all += [e[1] for e in value[1] if e[0] == Tag.STR]

    def visit_Global(self, node: ast.Global) -> None:
        self.scopes[self.scope].setdefault("globals", []).extend(node.names)
        self.straight.forget_everywhere(node.names)

    def visit_Nonlocal(self, node: ast.Nonlocal) -> None:
        self.straight.forget_everywhere(node.names)

    def visit_Return(self, node: ast.Return) -> None:
        if node.value is not None:
            self.visit(node.value)
            self.scopes[self.scope].setdefault("returns", []).append(self.expr(node.value))
            self.scopes[self.scope].setdefault("return_lines", []).append([node.lineno, node.end_lineno])

    def visit_Yield(self, node: ast.Yield) -> None:
        self.generic_visit(node)
        entry = self.scopes[self.scope]
        entry["generator"] = True
        if node.value is not None:
            value = self.expr(node.value)
            entry.setdefault("yields", []).append((Tag.ITEM, value) if isinstance(node, ast.YieldFrom) else value)

    visit_YieldFrom = visit_Yield

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                self._bind(alias.asname, (Tag.IMPORT, alias.name))
            else:
                self._bind(alias.name.partition(".")[0], (Tag.IMPORT, alias.name.partition(".")[0]))
                if "." in alias.name:
                    self.scopes[self.scope].setdefault("submodules", []).append(alias.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = node.module or ""
        if node.level:
            parts = self.package.split(".") if self.package else []
            parts = parts[: len(parts) - (node.level - 1)] if node.level > 1 else parts
            base = ".".join(p for p in parts + ([node.module] if node.module else []) if p)
        for alias in node.names:
            if alias.name == "*":
                self.star_imports.append(base)
            else:
                self._bind(alias.asname or alias.name, (Tag.FROM, base, alias.name))

    def visit_If(self, node: ast.If) -> None:
        if self.scope == "" and _is_main_test(node.test):
            self.main_block = node.lineno
        self._branch(node, node.test, node.body, node.orelse, "if")

    def visit_While(self, node: ast.While) -> None:
        self._branch(node, node.test, node.body, node.orelse, "while")

    def _branch(self, node, test, body, orelse, kind) -> None:
        start = len(self.calls)
        saved, self.test_calls = self.test_calls, []
        self.visit(test)
        tests, self.test_calls = self.test_calls, saved
        self._truth(test)
        rest = None
        if kind == "if" and _terminates(body) and self.pos:
            rest = []  # the rest of the enclosing block: filled in by _visit_list
        self._gate(tests, kind, _span(body), _span(orelse), rest, start, self._chains(test))
        self._visit_list(body)
        self._visit_list(orelse)

    def _gate(self, tests, kind, body, orelse, rest, start, reads=None) -> None:
        if not tests and reads:  # `if kill:` after `kill = flags.is_enabled("kill")` tests that call
            held = self.__dict__.get("_held", {}).get(self.scope, {})
            tests = [[held[r[1][1]], r[3], Read(*r).joins] for r in reads if r[0] == "v" and r[1][0] == "n" and r[1][1] in held]
        if not tests and not reads:
            return
        gate = {"calls": tests, "kind": kind, "body": body, "orelse": orelse,
                "rest": rest, "scope": self.scope, "pos": list(self.pos)}
        if reads:
            gate["reads"] = reads
        self.gates.append(gate)

    def _chains(self, node: ast.AST, negated: int = 0, out: list | None = None, names: bool = True,
                joins: int = 0) -> list:
        """The outermost value reads NODE's truth comes from (see the module docstring), with the
        parity of the negations around each (`not x`, `x is None`, `x == "0"`): through comparisons,
        `and`/`or`, conversions and method calls on the value, not through other calls' arguments,
        arithmetic or containers (`f(cfg["x"])` tests what F returns). NAMES=False leaves bare names out.
        Each read records the (effective) `and`/`or` it is an operand of (JOINS)."""
        out = [] if out is None else out
        if isinstance(node, (ast.Name, ast.Attribute, ast.Subscript)) and isinstance(node.ctx, ast.Load):
            if names or not isinstance(node, ast.Name):
                out.append(list(Read("v", self.expr(node), None, negated % 2, *_where(node), joins)))
        elif isinstance(node, ast.Call) and not any(isinstance(a, ast.Starred) for a in node.args) and (
                isinstance(node.func, ast.Attribute) and node.func.attr in CONFIG_GETTERS
                or isinstance(node.func, ast.Name) and node.func.id == "getenv"):
            out.append(list(Read("call", self.expr(node.func), [self.expr(a) for a in node.args], negated % 2,
                                 *_where(node), joins)))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr" \
                and len(node.args) in (2, 3) and isinstance(node.args[1], ast.Constant) \
                and isinstance(node.args[1].value, str) and node.args[1].value.isidentifier():
            # `getattr(settings, "PAPER", False)` reads settings.PAPER
            attr = (Tag.ATTR, self.expr(node.args[0]), node.args[1].value)
            out.append(list(Read("v", attr, None, negated % 2, *_where(node), joins)))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            self._chains(node.operand, negated + 1, out, names, joins)
        elif isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], (ast.In, ast.NotIn)) \
                and isinstance(node.left, ast.Constant) and isinstance(node.left.value, str) \
                and isinstance(node.comparators[0], (ast.Name, ast.Attribute, ast.Subscript)):
            # `"X" in os.environ`, `"dry_run" in cfg`: the entry is read (on when it is there)
            entry = (Tag.SUBSCRIPT, self.expr(node.comparators[0]), (Tag.STR, node.left.value))
            out.append(list(Read("v", entry, None, (negated + _flips(node)) % 2, *_where(node), joins)))
        elif isinstance(node, ast.Compare):
            for part in [node.left, *node.comparators]:
                self._chains(part, negated + _flips(node), out, names, joins)
        elif isinstance(node, ast.Call):  # a conversion or a method of the value read, not other calls' arguments
            if isinstance(node.func, ast.Name) and node.func.id in CONVERSIONS and len(node.args) == 1:
                self._chains(node.args[0], negated, out, names, joins)
            elif isinstance(node.func, ast.Attribute):  # `os.environ.get("X", "").lower()`
                self._chains(node.func.value, negated, out, names, joins)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitAnd):  # `features & Features.X`
            for part in (node.left, node.right):
                self._chains(part, negated, out, names, joins)
        elif isinstance(node, ast.BoolOp):
            for value in node.values:
                self._chains(value, negated, out, names, joins | _join(node, negated))
        elif isinstance(node, (ast.NamedExpr, ast.Await)):
            self._chains(node.value, negated, out, names, joins)
        return out

    def _held_call(self, name: str, value: ast.AST, start: int) -> None:
        """`name = <call>` (its calls recorded from index START on): a later test of NAME in this
        scope tests what the call returned, until NAME is assigned again."""
        held = self.__dict__.setdefault("_held", {}).setdefault(self.scope, {})  # scope -> name -> call
        where = [value.lineno, value.col_offset + 1] if isinstance(value, ast.Call) else None
        found = [i for i in range(start, len(self.calls)) if self.calls[i][2:4] == where and self.calls[i][10] is None]
        if found:
            held[name] = found[-1]
        else:
            held.pop(name, None)

    def _value_reads(self, name: str, value: ast.AST) -> None:
        """`name = <value>` holding a value read (`DRY_RUN = os.getenv("DRY_RUN") == "1"`,
        `dry = self.config["dry_run"]`): a test of NAME is a test of that read."""
        found = self._chains(value, names=False)
        if found:  # one group a binding, so that a name also bound to something else is no alias
            scope = "" if name in self.scopes[self.scope].get("globals", ()) else self.scope  # (`global X`)
            self.scopes[scope].setdefault("reads", {}).setdefault(name, []).append(found)

    def visit_For(self, node) -> None:
        self.visit(node.iter)
        self._iteration(node.iter, self.expr(node.iter))
        self._bind_target(node.target, (Tag.ITEM, self.expr(node.iter)))
        self._visit_list(node.body)
        self._visit_list(node.orelse)

    visit_AsyncFor = visit_For

    def visit_With(self, node) -> None:
        for item in node.items:
            self.visit(item.context_expr)
            mgr = self.expr(item.context_expr)
            self._dunder(item.context_expr, mgr, "__enter__")
            self._dunder(item.context_expr, mgr, "__exit__")
            if item.optional_vars is not None:
                self._bind_target(item.optional_vars, (Tag.CALL, (Tag.ATTR, mgr, "__enter__")))
        self._visit_list(node.body)

    visit_AsyncWith = visit_With

    def visit_Try(self, node) -> None:
        self._visit_list(node.body)
        for h in node.handlers:
            if h.type is not None:
                self.visit(h.type)
            if h.name:
                self._bind(h.name, (Tag.CALL, self.expr(h.type)) if h.type is not None else UNKNOWN)
            self._visit_list(h.body)
        self._visit_list(node.orelse)
        self._visit_list(node.finalbody)

    visit_TryStar = visit_Try

    def visit_Raise(self, node: ast.Raise) -> None:
        if node.exc is not None:
            self.visit(node.exc)
            if isinstance(node.exc, (ast.Name, ast.Attribute)):  # `raise E` instantiates E
                self._record_call(node.exc, self.expr(node.exc), [], {}, "raise")
        if node.cause is not None:
            self.visit(node.cause)

    def visit_Match(self, node) -> None:
        self.visit(node.subject)
        for case in node.cases:
            for part in ast.walk(case.pattern):  # capture patterns bind names
                for name in (getattr(part, "name", None), getattr(part, "rest", None)):
                    if name:
                        self.straight.forget(self.scope, name)
            if case.guard is not None:  # `case Peg() if flags.on("peg"):` gates the case's body
                self._case_guard(case)
            self._visit_list(case.body)

    def _case_guard(self, case) -> None:
        """Record CASE's guard as a test gating its body, with the pattern as one more operand of an
        `and` (unless it matches anything, `case _ if ...`)."""
        start = len(self.calls)
        pattern = case.pattern
        joins = 0 if isinstance(pattern, ast.MatchAs) and pattern.pattern is None else AND
        saved, self.test_calls = (self.test_calls, self.joins), []
        self.joins |= joins
        self.visit(case.guard)
        tests, (self.test_calls, self.joins) = self.test_calls, saved
        self._truth(case.guard)
        self._gate(tests, "if", _span(case.body), None, None, start, self._chains(case.guard, joins=self.joins | joins))

    def summarise(self, tree: ast.Module, nlines: int) -> dict:
        self._new_scope("", "module", tree, None, body=_first_stmt_line(tree.body) or 1)
        self.scopes[""].update(line=1, end=max(nlines, 1))
        self._visit_list(tree.body)
        return {
            "v": SUMMARY_VERSION, "module": self.module, "scopes": self.scopes, "calls": self.calls,
            "gates": self.gates, "attr_loads": self.attr_loads, "attr_stores": self.attr_stores,
            "name_loads": self.name_loads, "ns_defaults": self.ns_defaults, "words": sorted(self.words),
            "annotations": self.annotations,
            "star_imports": self.star_imports, "all": self.all, "main_block": self.main_block,
        }


#: the symbolic value of each kind of expression node (see `Summariser.expr`); any other is unknown
EXPRESSIONS = {
    ast.Name: Summariser._name, ast.Attribute: Summariser._attribute, ast.Constant: Summariser._constant,
    ast.Call: Summariser._call, ast.Subscript: Summariser._subscript, ast.Dict: Summariser._dict,
    ast.List: Summariser._sequence, ast.Tuple: Summariser._sequence, ast.Set: Summariser._sequence,
    ast.BinOp: Summariser._binop, ast.JoinedStr: Summariser._fstring, ast.IfExp: Summariser._ifexp,
    ast.BoolOp: Summariser._boolop, ast.Lambda: Summariser._lambda, ast.ListComp: Summariser._elements,
    ast.SetComp: Summariser._elements, ast.GeneratorExp: Summariser._elements, ast.DictComp: Summariser._dictcomp,
    ast.NamedExpr: Summariser._inner, ast.Await: Summariser._inner, ast.Starred: Summariser._inner,
}

def _is_classvar(annotation: ast.AST) -> bool:
    node = annotation.value if isinstance(annotation, ast.Subscript) else annotation
    return (isinstance(node, ast.Name) and node.id == "ClassVar") or \
        (isinstance(node, ast.Attribute) and node.attr == "ClassVar")


def _is_main_test(test: ast.AST) -> bool:
    return (isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == "__name__"
            and len(test.comparators) == 1 and isinstance(test.comparators[0], ast.Constant)
            and test.comparators[0].value == "__main__")


def ignores(text: str) -> list[list]:
    """`# knightwatch: ignore[...]` comments: [line, [codes] or None for a bare ignore, reason]."""
    found = []
    if "knightwatch" not in text:
        return found
    import io
    import tokenize

    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.COMMENT:
                m = IGNORE_RE.search(tok.string)
                if m:
                    codes = m.group("codes")
                    parsed = [c.strip().upper() for c in codes[1:-1].split(",") if c.strip()] if codes else None
                    found.append([tok.start[0], parsed, (m.group("reason") or "").strip()])
    except (tokenize.TokenError, SyntaxError, IndentationError):
        pass
    return found


def summarise(module: str, is_package: bool, tree: ast.Module, text: str) -> dict:
    """The summary of one parsed module."""
    nlines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
    try:
        summary = Summariser(module, is_package).summarise(tree, nlines)
    except RecursionError:  # nested deeper than the interpreter's recursion limit allows: again, deeper
        summary = _in_deep_thread(lambda: Summariser(module, is_package).summarise(tree, nlines))
    summary["nlines"] = nlines
    summary["package"] = is_package
    summary["ignores"] = ignores(text)
    return summary


def _in_deep_thread(work: Callable[[], dict]) -> dict:
    """WORK() run in a thread with a large stack and a recursion limit to match (`DEEP_STACK`); its
    RecursionError, if even that is not enough, is raised here."""
    done: list = []

    def run() -> None:
        try:
            done.append(work())
        except RecursionError as exc:
            done.append(exc)

    limit, size = sys.getrecursionlimit(), threading.stack_size()
    sys.setrecursionlimit(max(limit, DEEP_RECURSION))
    try:
        threading.stack_size(DEEP_STACK)
        thread = threading.Thread(target=run, name="knightwatch-deep-summary")
        thread.start()
        thread.join()
    finally:
        threading.stack_size(size)
        sys.setrecursionlimit(limit)
    if isinstance(done[0], RecursionError):
        raise done[0]
    return done[0]
