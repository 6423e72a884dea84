"""KW000 parse-error."""

from __future__ import annotations

from knightwatch.finding import Severity
from knightwatch.rule import Rule


class ParseError(Rule):
    """A file could not be read or parsed, so nothing in it was analysed.

    ## What it does
    Reports every source file that knightwatch could not decode or parse (a syntax error, a bad
    encoding, null bytes, a file over `max-file-size`). The rest of the run goes on without it.

    ## Why is this bad?
    Code that is not analysed cannot be checked: a dormant path or an unguarded sink in that file
    stays invisible, and everything it calls may look dead.

    ## Example
    ```python
    def route(order)
        send(order)
    ```

    ## Use instead
    ```python
    def route(order):
        send(order)
    ```
    """

    id = "KW000"
    name = "parse-error"
    severity = Severity.MEDIUM
    tags = ("correctness",)
    precision = "very-high"

    def check(self, analysis):
        for path, info in analysis.files.items():
            if info.error:
                line, col, message = info.error
                yield self.finding(path, line, f"cannot analyse {path}: {message}", column=col, symbol=path)
