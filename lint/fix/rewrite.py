"""The LibCST codemod that retires flag reads: each read becomes its value, then every condition,
ternary, dispatch and block the value decides is simplified and the branch that can no longer run
is deleted. Comments and formatting of everything kept are untouched."""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider, ScopeProvider

from knightwatch.fix.nodes import pure, without

TERMINATORS = (cst.Return, cst.Raise, cst.Continue, cst.Break)
ATOMS = (cst.Name, cst.SimpleString, cst.Integer, cst.Float, cst.Attribute, cst.Call, cst.Subscript, cst.List,
         cst.Dict, cst.Set)


@dataclass
class Retirement:
    """What to do in one file: reads at their span (line, column, end line, end column, as the
    analysis gives them) -> value; notes say what was kept and why."""

    values: dict[tuple[int, int, int, int], bool]
    keys: dict[tuple[int, int, int, int], str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _impure_part(call: cst.Call) -> str | None:
    """The code, besides the lookup itself, that evaluating the read CALL runs; None when there is none."""
    for part in [call.func] + [a.value for a in call.args]:
        if isinstance(part, cst.Attribute) and pure(part.value) or pure(part):
            continue
        return cst.Module([]).code_for_node(part)
    return None


class _Retire(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (PositionProvider, ScopeProvider)

    def __init__(self, plan: Retirement, path: str, imported: frozenset[str], lines: list[str]):
        super().__init__()
        self.lines = lines
        self.plan = plan
        self.path = path
        self.imported = imported  # module-level names other modules import: never inlined
        self.literals: set[int] = set()  # ids of the True/False nodes this codemod made
        self.inline: dict[int, bool] = {}  # id of a Name reading a variable that held a read -> value
        self.dropped: set[int] = set()  # ids of the assignments of those variables
        self.gone: set[int] = set()  # ids of the `if`s that come down to nothing
        self.held: list[cst.CSTNode] = []  # the nodes whose ids are kept above: alive, so no id is reused

    # ---- literals ----------------------------------------------------------------------------
    def _literal(self, value: bool) -> cst.Name:
        node = cst.Name("True" if value else "False")
        self.literals.add(id(node))
        self.held.append(node)
        return node

    def truth(self, node: cst.BaseExpression) -> bool | None:
        if id(node) in self.literals:
            return node.value == "True"
        return None

    @staticmethod
    def _keep_parens(result: cst.BaseExpression, original: cst.BaseExpression) -> cst.BaseExpression:
        """RESULT, in ORIGINAL's place: inside ORIGINAL's parentheses unless it is an atom."""
        if original.lpar and not result.lpar and not isinstance(result, ATOMS):
            return result.with_changes(lpar=original.lpar, rpar=original.rpar)
        return result

    # ---- the reads ---------------------------------------------------------------------------
    def _position(self, node: cst.CSTNode) -> tuple[int, int, int, int]:
        """NODE's span as the analysis gives a call's: lines, and 1-based columns in UTF-8 bytes."""
        where: CodeRange = self.get_metadata(PositionProvider, node)
        return (where.start.line, self._byte(where.start.line, where.start.column) + 1,
                where.end.line, self._byte(where.end.line, where.end.column) + 1)

    def _byte(self, line: int, column: int) -> int:
        text = self.lines[line - 1] if line <= len(self.lines) else ""
        return column if text.isascii() else len(text[:column].encode("utf-8"))

    def visit_Assign(self, node: cst.Assign) -> None:
        """`on = flags.is_on(KEY)`: a variable assigned only there, read later, becomes the value."""
        if len(node.targets) != 1 or not isinstance(node.targets[0].target, cst.Name):
            return
        if not isinstance(node.value, cst.Call) or self._position(node.value) not in self.plan.values:
            return
        if _impure_part(node.value) is not None:
            return
        scope = self.get_metadata(ScopeProvider, node.targets[0].target, None)
        name = node.targets[0].target.value
        if scope is None or isinstance(scope, cst.metadata.ClassScope):
            return
        if isinstance(scope, cst.metadata.GlobalScope) and name in self.imported:
            return
        assignments = scope.assignments[name]
        if len(assignments) != 1 or any(not isinstance(a, cst.metadata.Assignment) for a in assignments):
            return
        value = self.plan.values[self._position(node.value)]
        for assignment in assignments:
            for access in assignment.references:
                if isinstance(access.node, cst.Name):
                    self.inline[id(access.node)] = value
        self.dropped.add(id(node))

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.BaseExpression:
        if id(original) in self.inline:
            return self._literal(self.inline[id(original)])
        return updated

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        where = self._position(original)
        if where not in self.plan.values:
            return updated
        impure = _impure_part(original)
        if impure is not None:
            key = self.plan.keys.get(where, "the flag")
            self.plan.notes.append(f"{self.path}:{where[0]}: read of {key} kept: evaluating it also runs `{impure}`")
            return updated
        return self._literal(self.plan.values[where])

    def leave_Await(self, original: cst.Await, updated: cst.Await) -> cst.BaseExpression:
        value = self.truth(updated.expression)
        return updated if value is None else self._literal(value)

    # ---- expressions -------------------------------------------------------------------------
    def fold(self, node: cst.BaseExpression, boolean: bool) -> cst.BaseExpression:
        """NODE with the literals this codemod made folded; BOOLEAN: only its truth matters there."""
        if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Not):
            inner = self.fold(node.expression, True)
            value = self.truth(inner)
            return self._literal(not value) if value is not None else node.with_changes(expression=inner)
        if isinstance(node, cst.BooleanOperation):
            return self._fold_bool(node, boolean)
        if isinstance(node, cst.IfExp):
            test = self.fold(node.test, True)
            value = self.truth(test)
            if value is not None:
                return self._keep_parens(self.fold(node.body if value else node.orelse, boolean), node)
            return node.with_changes(test=test)
        if isinstance(node, cst.Subscript) and isinstance(node.value, cst.Dict) and len(node.slice) == 1 \
                and isinstance(node.slice[0].slice, cst.Index):
            return self._fold_dispatch(node)
        return node

    def _fold_bool(self, node: cst.BooleanOperation, boolean: bool) -> cst.BaseExpression:
        left, right = self.fold(node.left, boolean), self.fold(node.right, boolean)
        lv, rv = self.truth(left), self.truth(right)
        is_and = isinstance(node.operator, cst.And)
        if lv is not None:  # `True and x` is x, `False and x` is False; `or` the other way round
            return self._keep_parens(right if lv == is_and else left, node)
        if rv is not None and boolean:
            if rv == is_and:  # `x and True`, `x or False`: as a condition, just x
                return self._keep_parens(left, node)
            if pure(left):  # `x and False`, `x or True`: x decides nothing and does nothing
                return self._literal(rv)
        return node.with_changes(left=left, right=right)

    def _fold_dispatch(self, node: cst.Subscript) -> cst.BaseExpression:
        """`{True: new, False: old}[flag]`: the entry the value picks."""
        value = self.truth(node.slice[0].slice.value)
        if value is None:
            return node
        wanted = "True" if value else "False"
        chosen = None
        for element in node.value.elements:
            if not isinstance(element, cst.DictElement) or not (pure(element.value) or
                                                                isinstance(element.value, cst.Lambda)):
                return node  # building the dict ran every value: dropping one must change nothing
            if isinstance(element.key, cst.Name) and element.key.value == wanted:
                chosen = element.value
        return node if chosen is None else self._keep_parens(chosen, node)

    def leave_UnaryOperation(self, original, updated):
        return self.fold(updated, False)

    def leave_BooleanOperation(self, original, updated):
        return self.fold(updated, False)

    def leave_IfExp(self, original, updated):
        return self.fold(updated, False)

    def leave_Subscript(self, original, updated):
        return self.fold(updated, False)

    # ---- statements --------------------------------------------------------------------------
    def leave_If(self, original: cst.If, updated: cst.If) -> cst.If:
        updated = updated.with_changes(test=self.fold(updated.test, True))
        orelse = updated.orelse
        while isinstance(orelse, cst.If) and self.truth(orelse.test) is not None:  # an elif the value decides
            orelse = cst.Else(body=orelse.body, leading_lines=orelse.leading_lines) \
                if self.truth(orelse.test) else orelse.orelse
        return updated.with_changes(orelse=orelse)

    def leave_While(self, original: cst.While, updated: cst.While) -> cst.While:
        return updated.with_changes(test=self.fold(updated.test, True))

    def leave_SimpleStatementLine(self, original, updated):
        if len(updated.body) == 1 and id(original.body[0]) in self.dropped:
            return cst.RemoveFromParent()
        return updated

    def _statements(self, body: list[cst.BaseStatement]) -> list[cst.BaseStatement]:
        """BODY with every decided `if`/`while` replaced by the branch that runs, up to a branch that
        now always leaves the block (return, raise, ...): what followed it is dead."""
        out: list[cst.BaseStatement] = []
        for stmt in body:
            chosen = self._decided(stmt)
            if chosen is None:
                out.append(stmt)
                continue
            if not chosen:
                out.append(stmt)  # dropped below, its blank lines kept
                self.gone.add(id(stmt))
                self.held.append(stmt)
                continue
            if stmt.leading_lines:
                chosen[0] = chosen[0].with_changes(leading_lines=[*stmt.leading_lines, *chosen[0].leading_lines])
            out.extend(chosen)
            if isinstance(chosen[-1], cst.SimpleStatementLine) and \
                    isinstance(chosen[-1].body[-1], TERMINATORS):
                break
        return without(out, lambda s: id(s) in self.gone)

    def _decided(self, stmt: cst.BaseStatement) -> list[cst.BaseStatement] | None:
        """The statements STMT comes down to when its test is decided; None when it is not."""
        if not isinstance(stmt, (cst.If, cst.While)):
            return None
        value = self.truth(stmt.test)
        if value is None or (isinstance(stmt, cst.While) and value):
            return None
        if value:
            return _block(stmt.body)
        if isinstance(stmt.orelse, cst.If):
            return [stmt.orelse]
        return _block(stmt.orelse.body) if stmt.orelse is not None else []

    def leave_IndentedBlock(self, original, updated):
        body = self._statements(list(updated.body))
        return updated.with_changes(body=body or [cst.SimpleStatementLine([cst.Pass()])])

    def leave_Module(self, original, updated):
        body = self._statements(list(updated.body))
        return updated.with_changes(body=body)


def _block(body: cst.BaseSuite) -> list[cst.BaseStatement]:
    if isinstance(body, cst.SimpleStatementSuite):
        return [cst.SimpleStatementLine(body=list(body.body))]
    return list(body.body)


def retire(text: str, path: str, plan: Retirement, imported: frozenset[str] = frozenset()) -> str:
    """TEXT with the reads of PLAN retired; PLAN.notes get what was kept and why. IMPORTED: the
    module-level names other modules import (a variable among them is not inlined)."""
    return MetadataWrapper(cst.parse_module(text)).visit(_Retire(plan, path, imported, text.splitlines())).code
