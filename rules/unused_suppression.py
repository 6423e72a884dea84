"""KW002 unused-suppression."""

from __future__ import annotations

from knightwatch.decide.filters import Ignore
from knightwatch.finding import Finding, Severity
from knightwatch.rule import Rule


class UnusedSuppression(Rule):
    """An inline ignore names a rule that found nothing on its line.

    ## What it does
    Reports the codes of a `# knightwatch: ignore[...]` comment that suppressed nothing, like
    ruff's RUF100. Only rules that ran are judged: a code whose rule was not selected, or was
    skipped for want of coverage or configuration, is left alone. A `KW002` code in the comment
    is never reported, so `ignore[KW102, KW002]` keeps a deliberate stale ignore quiet.

    ## Why is this bad?
    A stale ignore is a loaded gun: the finding it was written for is gone, but the next finding
    of that rule on the line (a new way to reach Power Peg, a re-used flag) would be silenced
    without anyone reading it.

    ## Example
    ```python
    def _tick_size(price):  # knightwatch: ignore[KW102] -- now called by quote()
        ...
    ```

    ## Use instead
    ```python
    def _tick_size(price):
        ...
    ```
    """

    id = "KW002"
    name = "unused-suppression"
    judges_ignores = True
    severity = Severity.LOW
    tags = ("suppression",)
    precision = "very-high"

    def check(self, analysis):
        """Nothing on its own: which ignores were used is known only once every other rule has run,
        so the engine's decision step reports them through `unused`."""
        return ()

    def unused(self, ignore: Ignore, codes: list[str]) -> Finding:
        return self.finding(ignore.path, ignore.line, f"unused `knightwatch: ignore` for {', '.join(codes)}: "
                            "no such finding on this line", column=ignore.column, symbol=",".join(codes),
                            codes=codes)
