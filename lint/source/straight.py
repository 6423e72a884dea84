"""What a name holds where a scope's statements run one after another, for the callee of a call.

The summary keeps every binding of a name (flow-insensitive): `a = f1; a = f2; a()` calls f1 or f2.
At the top level of a scope (not inside a branch, loop, `try`, `with`, comprehension or the right of
an `and`/`or`), statements run once and in order, so a call written there calls what the name was
last bound to by a plain assignment there: f2. This module tracks those bindings while the
summariser walks a scope, and gives a call's callee from them (`Tag.FIRST`: where nothing is known
of that value, the resolver falls back on all the name's bindings). Anything it cannot follow
forgets the name: any other binding of it (a loop target, an import, a nested branch, `del`),
`global` or `nonlocal` for it anywhere, `globals()`/`locals()`/`vars()` in the scope. A value that
reads the name itself (`x = x.parent`) is not followed either.

A name bound to a dict literal is also followed through item stores with constant keys
(`d["a"] = f`, `d["a"]["b"] = f`, `d.update({"a": f})`), so `d["a"]()` calls what key "a" holds
then. Any other use of the dict (passed on, aliased, a method call, a loop, a nested function
reading the name) may change it: the name is forgotten.
"""

from __future__ import annotations

import ast
from typing import Any

from knightwatch.source.schema import Tag, mentions


def _keys(node: ast.AST) -> tuple[ast.Name, list[str]] | None:
    """`d["a"]["b"]` -> (the Name d, ["a", "b"]); None for anything else."""
    keys: list[str] = []
    while isinstance(node, ast.Subscript):
        if not (isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str)):
            return None
        keys.append(node.slice.value)
        node = node.value
    if not keys or not isinstance(node, ast.Name):
        return None
    return node, keys[::-1]


def _lookup(value: tuple, key: str) -> list[tuple] | None:
    """What KEY may hold in dict literal VALUE: its entry and the entries of unknown keys; None when
    it has neither (a KeyError: nothing to say)."""
    found = [v for k, v in value[1] if k == key or k.startswith("?")]
    return found or None


def _stored(value: tuple, keys: list[str], new: tuple) -> tuple | None:
    """Dict literal VALUE with NEW at KEYS, or None when a key on the way is not a known dict."""
    if value[0] != Tag.DICT or any(k.startswith("?") for k, _ in value[1]):
        return None
    entries = dict(value[1])
    if len(keys) > 1:
        inner = entries.get(keys[0])
        new_inner = _stored(inner, keys[1:], new) if inner is not None else None
        if new_inner is None:
            return None
        new = new_inner
    entries[keys[0]] = new
    return (Tag.DICT, tuple(entries.items()))


class StraightLine:
    """The bindings straight-line code has made so far, per scope."""

    def __init__(self, scopes: dict[str, dict[str, Any]], loads: set[tuple[str, str]]):
        self.scopes = scopes  # the summariser's scopes (their parents)
        self.loads = loads  # (scope, name) of every name load so far
        self.known: dict[str, dict[str, tuple]] = {}  # scope -> name -> the value it holds here
        self.dicts: set[str] = set()  # names some scope follows as a dict literal
        self.rebound: set[str] = set()  # names declared global or nonlocal: other scopes bind them
        self.off: set[str] = set()  # scopes that use globals()/locals()/vars()
        self.handled: set[int] = set()  # ids of Name nodes whose load a followed store or lookup accounts for

    def forget(self, scope: str, name: str) -> None:
        known = self.known.get(scope)
        if known:
            known.pop(name, None)

    def forget_everywhere(self, names: list[str]) -> None:
        self.rebound.update(names)
        for known in self.known.values():
            for name in names:
                known.pop(name, None)

    def disable(self, scope: str) -> None:
        """SCOPE reads or writes its namespace as a dict: nothing in it (or the module) is followed."""
        self.off.update((scope, ""))
        self.known.pop(scope, None)
        self.known.pop("", None)

    def assigned(self, scope: str, name: str, value: tuple) -> None:
        """`name = value` at the top level of SCOPE (after the summary bound it)."""
        # not `x = x.parent`: resolved apart from x's bindings, the value would meet x's resolution
        # under way (which has found nothing yet) and the resolver would memoise what it found then
        if name in self.rebound or scope in self.off or value[0] == Tag.LIST or mentions(value, (Tag.NAME, name)):
            return
        if value[0] == Tag.DICT:
            if any((s, name) in self.loads for s in self.scopes if s != scope and (not scope or s.startswith(scope + "."))):
                return  # a nested function reads the dict: calling it may change it
            self.dicts.add(name)
        self.known.setdefault(scope, {})[name] = value

    def loaded(self, scope: str, node: ast.Name) -> None:
        """A load of NODE's name in SCOPE: a followed dict it may be is forgotten, unless accounted for."""
        name = node.id
        if name not in self.dicts or id(node) in self.handled:
            return
        s: str | None = scope
        while s is not None:
            known = self.known.get(s)
            if known and known.get(name, (None,))[0] == Tag.DICT:
                known.pop(name)
            s = self.scopes[s]["parent"] if s else None

    def _dict(self, scope: str, name: str) -> tuple | None:
        value = self.known.get(scope, {}).get(name)
        return value if value is not None and value[0] == Tag.DICT else None

    def claim_store(self, scope: str, target: ast.AST) -> tuple[str, list[str]] | None:
        """Before the walk reaches a store target: (name, keys) of `d["a"] = ...` on a followed dict."""
        found = _keys(target)
        if found is None or self._dict(scope, found[0].id) is None:
            return None
        self.handled.add(id(found[0]))
        return found[0].id, found[1]

    def store(self, scope: str, name: str, keys: list[str], value: tuple) -> None:
        current = self._dict(scope, name)
        new = _stored(current, keys, value) if current is not None else None
        if new is None:
            self.forget(scope, name)
        else:
            self.known[scope][name] = new

    def claim_call(self, scope: str, func: ast.AST) -> str | None:
        """Before the walk reaches a call's callee: account for `d["a"](...)` and `d.update(...)` on a
        followed dict. The name of the dict `update` is called on, if it is one."""
        found = _keys(func)
        if found is not None and self._dict(scope, found[0].id) is not None:
            self.handled.add(id(found[0]))
        elif isinstance(func, ast.Attribute) and func.attr == "update" and isinstance(func.value, ast.Name) \
                and self._dict(scope, func.value.id) is not None:
            self.handled.add(id(func.value))
            return func.value.id
        return None

    def update(self, scope: str, name: str, args: list[tuple], kwargs: dict[str, tuple]) -> None:
        """`name.update(<dict literal>, key=value, ...)` on a followed dict."""
        current = self._dict(scope, name)
        items = list(kwargs.items())
        if args:
            items = list(args[0][1]) + items if len(args) == 1 and args[0][0] == Tag.DICT else [("?", args[0])]
        for key, value in items:
            current = _stored(current, [key], value) if current is not None and not key.startswith("?") else None
        if current is None:
            self.forget(scope, name)
        else:
            self.known[scope][name] = current

    def callee(self, scope: str, func: ast.AST) -> tuple | None:
        """What FUNC (a name, an attribute of one, a constant-key item of a followed dict) holds here,
        or None when nothing followed says more than the summary's bindings."""
        if isinstance(func, ast.Name):
            value = self.known.get(scope, {}).get(func.id)
            return (Tag.FIRST, value, (Tag.NAME, func.id)) if value is not None and value[0] != Tag.DICT else None
        if isinstance(func, ast.Attribute):
            inner = self.callee(scope, func.value)
            return (Tag.ATTR, inner, func.attr) if inner is not None else None
        found = _keys(func)
        if found is None:
            return None
        value: tuple | None = self._dict(scope, found[0].id)
        for key in found[1]:
            options = _lookup(value, key) if value is not None and value[0] == Tag.DICT else None
            if options is None:
                return None
            value = options[0] if len(options) == 1 else (Tag.LIST, tuple(options), 1)
        return value
