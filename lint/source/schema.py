"""Names for the summary schema: the tags of symbolic expressions and the fields of its records.

On disk a summary stays plain data (tuples and lists that `marshal` stores and that hash cheaply as
memo keys); code reads them through these names. `knightwatch.source.summary` documents what each holds.
"""

from __future__ import annotations

from typing import Any, Final, NamedTuple


class Tag:
    """The first item of an expression tuple: what kind of expression it is."""

    NAME: Final = "n"  # ("n", name)
    ATTR: Final = "a"  # ("a", expr, attr)
    CALL: Final = "c"  # ("c", callee expr[, first argument if it names a class]): what calling it returns
    STR: Final = "s"  # ("s", text)
    INT: Final = "k"  # ("k", n)
    DEF: Final = "f"  # ("f", scope): a def, class or lambda of this module
    IMPORT: Final = "i"  # ("i", module): `import module`
    FROM: Final = "m"  # ("m", module, name): `from module import name`
    DICT: Final = "d"  # ("d", ((key, expr), ...))
    LIST: Final = "l"  # ("l", (expr, ...)), or ("l", (a, b), 1): either a or b
    SUBSCRIPT: Final = "x"  # ("x", expr, key)
    ITEM: Final = "it"  # ("it", expr): an element of iterating expr
    GETATTR: Final = "ga"  # ("ga", obj, key[, default])
    GLOBAL: Final = "g"  # ("g", key): globals()[key]
    GLOBALS: Final = "gl"  # ("gl",): globals(), locals() or vars()
    SUPER: Final = "sup"  # ("sup", class scope)
    #: ("fs", prefix[, suffix[, expr]]): a string with a constant prefix (and suffix); with EXPR, it
    #: is prefix + str(EXPR) + suffix (`f"{side}_params"`)
    PREFIX: Final = "fs"
    STARRED: Final = "*"  # ("*", expr): a starred call argument
    CONTAINER_METHOD: Final = "cm"  # ("cm", obj, method, (args))
    DECORATED: Final = "dec"  # ("dec", decorator, expr)
    INSTANCE: Final = "t"  # ("t", class expr): an instance of it or of a subclass (an annotation)
    CLASS: Final = "tc"  # ("tc", class expr[, "sub"]): it or a subclass (`type[X]`); "sub": a subclass only
    TYPE_OF: Final = "ty"  # ("ty", expr): `type(expr)`
    PARTIAL: Final = "pf"  # ("pf", expr, n): `functools.partial(expr, ...)` binding n positionals
    NAMESPACE: Final = "ns"  # ("ns",): an argparse namespace
    SLICE: Final = "sl"  # ("sl", expr, lo, hi)
    IMPORT_MODULE: Final = "im"  # ("im", expr): `importlib.import_module(expr)`
    METACLASS: Final = "mc"  # ("mc", expr): the metaclass of class expr, or of the classes in tuple expr
    UNKNOWN: Final = "u"  # ("u",) or ("u", label)
    VALUE: Final = "v"  # ("v", value): a value already resolved (`Index.member`'s memo key)
    #: ("or", expr, written): what expr is (the value straight-line code gave the name WRITTEN), or
    #: what WRITTEN is when nothing is known of expr
    FIRST: Final = "or"


def mentions(expr: tuple, part: tuple) -> bool:
    """Whether expression EXPR is PART or holds it anywhere (`mentions(e, (Tag.NAME, "x"))`: e reads x)."""
    return expr == part or any(type(e) is tuple and mentions(e, part) for e in expr)


def written(expr: tuple) -> tuple:
    """EXPR as the source writes it (a name, not what straight-line code bound it to: `Tag.FIRST`)."""
    return expr[2] if expr[0] == Tag.FIRST else expr


class Call(NamedTuple):
    """A call site, stored as a plain list of these fields in this order."""

    scope: str
    callee: tuple
    line: int
    col: int
    end_line: int
    end_col: int
    cond: int  # 1 inside a conditionally evaluated sub-expression
    pos: list  # [list id, index, ...] of the statement
    args: list
    kwargs: dict  # `**x` keyed "**<n>"
    tag: str | None = None  # "dec", "raise", "dunder", "bi:<name>" for implicit calls; None if written


AND, OR = 1, 2  # `Read.joins` bits: an operand of an `and` (its branch needs the others true too), of an `or`


class Read(NamedTuple):
    """A value read in a test or an assignment, stored as a plain list of these fields in this order."""

    kind: str  # "v": EXPR is the value read; "call": EXPR is the callee and ARGS its arguments
    expr: tuple
    args: Any  # list of exprs, or None
    negated: int
    line: int
    col: int
    end_line: int
    end_col: int
    joins: int = 0  # AND, OR: an operand of an (effective) `and`, `or` (both bits: of a mix)


def callee_name(callee: tuple) -> str:
    """The name a callee expression ends with (`partial` for `functools.partial`), or ''."""
    callee = written(callee)
    return callee[1] if callee[0] == Tag.NAME else callee[2] if callee[0] == Tag.ATTR else ""
