"""KW001 invalid-suppression."""

from __future__ import annotations

from knightwatch.decide.filters import ignores_of
from knightwatch.finding import Severity
from knightwatch.rule import Rule, shipped_codes


class InvalidSuppression(Rule):
    """An inline ignore names no rule code, or a code that is not a knightwatch rule.

    ## What it does
    Reports `# knightwatch: ignore` comments that cannot be honoured: a bare ignore (or
    `ignore[]`) without rule codes, and codes that name no knightwatch rule. A bare ignore
    suppresses nothing; in a comment with known and unknown codes, the known ones still apply.

    ## Why is this bad?
    A blanket ignore would hide every finding on the line, including ones nobody has read: the
    next out-of-reach send on a line once silenced for dead code would never be seen. An unknown
    code (a typo, a renamed rule) silences nothing while looking as if it did.

    ## Example
    ```python
    power_peg.execute(parent, market, gateway)  # knightwatch: ignore
    ```

    ## Use instead
    ```python
    power_peg.execute(parent, market, gateway)  # knightwatch: ignore[KW401] -- removal in OPS-1123
    ```
    """

    id = "KW001"
    name = "invalid-suppression"
    severity = Severity.MEDIUM
    tags = ("suppression",)
    precision = "very-high"

    def check(self, analysis):
        known = shipped_codes()
        for ig in ignores_of(analysis):
            if not ig.codes:
                yield self.finding(ig.path, ig.line, "bare `knightwatch: ignore` suppresses nothing: name the "
                                   "rule codes, e.g. `# knightwatch: ignore[KW102]`", column=ig.column, symbol="bare")
            unknown = [c for c in dict.fromkeys(ig.codes) if c not in known]
            if unknown:
                yield self.finding(ig.path, ig.line, f"unknown rule code{'s' if len(unknown) > 1 else ''} "
                                   f"{', '.join(unknown)} in `knightwatch: ignore` (see `knightwatch rules`)",
                                   column=ig.column, symbol=",".join(unknown), codes=unknown)
