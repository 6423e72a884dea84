"""LibCST helpers of the fix codemods: expressions without effects, and deleting statements
without losing the blank lines that separated them."""

from __future__ import annotations

import libcst as cst


def pure(node: cst.CSTNode) -> bool:
    """Evaluating NODE has no effect beyond reading names and literals (a call, await or walrus has)."""
    if isinstance(node, (cst.Name, cst.SimpleString, cst.Integer, cst.Float, cst.Ellipsis)):
        return True
    if isinstance(node, cst.Attribute):
        return pure(node.value)
    if isinstance(node, cst.ConcatenatedString):
        return pure(node.left) and pure(node.right)
    if isinstance(node, cst.UnaryOperation):
        return pure(node.expression)
    if isinstance(node, (cst.BooleanOperation, cst.Comparison)):
        parts = [node.left, node.right] if isinstance(node, cst.BooleanOperation) else \
            [node.left] + [c.comparator for c in node.comparisons]
        return all(pure(p) for p in parts)
    if isinstance(node, (cst.Tuple, cst.List, cst.Set)):
        return all(pure(e.value) for e in node.elements)
    return False



def _blank_lead(stmt: cst.BaseStatement) -> list[cst.EmptyLine]:
    lead = []
    for line in getattr(stmt, "leading_lines", ()):
        if line.comment is not None:
            break
        lead.append(line)
    return lead


def without(body, gone) -> list[cst.BaseStatement]:
    """BODY without the statements GONE(stmt) is true of; the blank lines that separated a deleted
    statement from the one before it now separate the next kept one (its own comments stay), and a
    statement that becomes the first of BODY loses the blank lines above it."""
    out, carried, dropped = [], [], False
    for stmt in body:
        if gone(stmt):
            carried = carried or _blank_lead(stmt)
            dropped = True
            continue
        blank = len(_blank_lead(stmt))
        if dropped and not out:
            stmt = stmt.with_changes(leading_lines=stmt.leading_lines[blank:])
        elif carried and blank < len(carried):
            stmt = stmt.with_changes(leading_lines=[*carried, *stmt.leading_lines[blank:]])
        carried = []
        out.append(stmt)
    return out
