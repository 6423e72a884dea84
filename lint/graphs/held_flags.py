"""Flag values kept and tested later: an SDK read stored in an attribute (`self.legacy =
client.variation("legacy-peg", ...)`, then `if self.legacy:` in another method), in a module-level
name (`LEGACY = flags.is_enabled("x")`, tested in a function), or passed as an argument
(`route(order, flags.is_enabled("x"))`, tested as the parameter). The branch that tests the kept
value reads the flag."""

from __future__ import annotations

from typing import TYPE_CHECKING

from knightwatch.source.schema import Read, Tag, written

if TYPE_CHECKING:
    from knightwatch.graphs.callgraph import CallGraph, CallSite
    from knightwatch.graphs.flags import FlagRead


def _as_written(expr: tuple) -> tuple:
    """EXPR with every part as the source writes it (see `written`), as an argument records it."""
    expr = written(expr)
    return tuple(_as_written(e) if type(e) is tuple and e and type(e[0]) is str else e for e in expr)


class HeldFlags:
    """Where the flag reads that test no branch themselves keep their value."""

    def __init__(self, cg: CallGraph, unbranched: list[tuple[CallSite, FlagRead]]):
        self.cg = cg
        self.attrs: dict[tuple[str, str], list[FlagRead]] = {}  # (class, attribute) -> reads stored there
        self.params: dict[tuple[str, str], list[FlagRead]] = {}  # (function, parameter) -> reads passed
        self.names: dict[tuple[str, str], list[FlagRead]] = {}  # (module, global name) -> reads bound
        idx = cg.index
        for site, read in unbranched:
            summary = idx.summaries[site.module]
            callee = (Tag.CALL, _as_written(summary["calls"][site.index][1]))
            for scope, target, line in summary.get("attr_stores", ()):
                if scope == site.scope and line == site.line:
                    for v in idx.resolve(site.module, scope, target[1]):
                        if v[0] == "inst":
                            self.attrs.setdefault((v[1], target[2]), []).append(read)
            for call in summary["calls"]:
                if call[0] == site.scope and call[2] == site.line and callee in call[8]:
                    self._passed(site.module, call, call[8].index(callee), read)
            if site.scope == "":
                for name, bound in summary["scopes"][""]["names"].items():
                    if bound and all(b == callee for b in bound):  # (again under `global`: the same read)
                        self.names.setdefault((site.module, name), []).append(read)

    def _passed(self, module: str, call: list, position: int, read: FlagRead) -> None:
        idx = self.cg.index
        for fq, offset, _, _ in idx.dispatch(module, call[0], call[1]):
            m, scope, _ = idx.defs[fq]
            params = idx.params(m, scope)
            if position + offset < len(params):
                self.params.setdefault((fq, params[position + offset]), []).append(read)

    def kept(self, module: str, scope: str, record: Read) -> list[FlagRead]:
        """The flag reads whose value the value read RECORD (in a branch test of SCOPE) tests."""
        expr = written(record.expr)
        if record.kind != "v":
            return []
        idx = self.cg.index
        if expr[0] == Tag.ATTR:
            out: list[FlagRead] = []
            for v in idx.resolve(module, scope, expr[1]):
                if v[0] == "inst":
                    for cls in idx.mro(v[1]):
                        out += [r for r in self.attrs.get((cls, expr[2]), ()) if r not in out]
                elif v[0] == "mod":  # `settings.RLP`, a module-level name holding the read
                    out += [r for r in self.names.get((v[1], expr[2]), ()) if r not in out]
            return out
        if expr[0] != Tag.NAME:
            return []
        if scope and expr[1] in idx.params(module, scope):
            return self.params.get((self.cg.caller(module, scope), expr[1]), [])
        if scope and expr[1] in idx.summaries[module]["scopes"][scope].get("names", {}):
            return []  # a local of its own
        return self.names.get((module, expr[1]), [])
