"""Reporters: turn a RunResult into text, JSON, SARIF and CI formats."""

from __future__ import annotations

import importlib
from dataclasses import replace

from knightwatch.errors import KnightwatchError
from knightwatch.result import RunResult

#: format name -> the module of knightwatch.output.report whose `render` turns a RunResult into a string;
#: imported when used, so that a replayed run in a pre-commit hook loads only the one it needs
FORMATS: dict[str, str] = {
    "text": "text",
    "json": "jsonfile",
    "sarif": "sarif",
    "gitlab": "gitlab",
    "github": "github",
    "junit": "junit",
    "markdown": "markdown",
}


def render(fmt: str, result: RunResult, *, strip_suppressed: bool = False, color: bool | None = None,
           width: int | None = None) -> str:
    """Render RESULT as FMT. `strip_suppressed` drops suppressed findings altogether (not even counted);
    `color` (None: auto) and `width` apply to the text format."""
    if fmt not in FORMATS:
        raise KnightwatchError(f"unknown output format {fmt!r} (choose from {', '.join(FORMATS)})")
    if strip_suppressed:
        result = replace(result, findings=result.active)
    module = importlib.import_module(f"knightwatch.output.report.{FORMATS[fmt]}")
    if fmt == "text":
        return module.render(result, color=color, width=width)
    return module.render(result)
