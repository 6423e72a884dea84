"""A LibCST codemod that rewrites syntax newer than the running interpreter into older equivalents.

Used only when `ast` refuses a file. Names, calls and line structure are kept, so the summary of the
lowered code describes the original: type parameters are dropped, `type X = ...` becomes `X = ...`,
`except*` becomes `except`, unparenthesised `except A, B` gets its parentheses, and f-/t-strings
become tuples of their embedded expressions.
"""

from __future__ import annotations

import libcst as cst

NEWEST = "3.14"


class LowerNewerSyntax(cst.CSTTransformer):
    """Rewrite 3.11–3.14 syntax into 3.10 syntax, keeping every expression that can call code."""

    def leave_FunctionDef(self, original, updated):
        return updated.with_changes(type_parameters=None) if updated.type_parameters else updated

    def leave_ClassDef(self, original, updated):
        return updated.with_changes(type_parameters=None) if updated.type_parameters else updated

    def leave_TypeAlias(self, original, updated):
        return cst.Assign(targets=[cst.AssignTarget(target=updated.name)], value=updated.value)

    def leave_TryStar(self, original, updated):
        handlers = [
            cst.ExceptHandler(body=h.body, type=h.type, name=h.name, leading_lines=h.leading_lines)
            for h in updated.handlers
        ]
        return cst.Try(body=updated.body, handlers=handlers, orelse=updated.orelse,
                       finalbody=updated.finalbody, leading_lines=updated.leading_lines)

    def leave_ExceptHandler(self, original, updated):
        if isinstance(updated.type, cst.Tuple) and not updated.type.lpar:
            return updated.with_changes(type=updated.type.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()]))
        return updated

    def _as_tuple(self, parts):
        exprs = [p.expression for p in parts if hasattr(p, "expression")]
        if not exprs:
            return cst.SimpleString('""')
        elements = [cst.Element(e) for e in exprs]
        return cst.Tuple(elements=elements + ([] if len(elements) > 1 else [cst.Element(cst.Name("None"))]))

    def leave_FormattedString(self, original, updated):
        return self._as_tuple(updated.parts)

    def leave_TemplatedString(self, original, updated):
        return self._as_tuple(updated.parts)


def lower_newer_syntax(text: str) -> str | None:
    """TEXT rewritten for an older parser, or None when even the newest grammar refuses it."""
    try:
        module = cst.parse_module(text, config=cst.PartialParserConfig(python_version=NEWEST))
        return module.visit(LowerNewerSyntax()).code
    except Exception:  # libcst raises its own ParserSyntaxError and, on odd input, others
        return None
