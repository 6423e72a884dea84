"""Reporters: turn a RunResult into text, JSON, SARIF and CI formats."""

from __future__ import annotations

from dataclasses import replace
from typing import Callable

from knightwatch.errors import KnightwatchError
from knightwatch.report import github, gitlab, jsonfile, junit, markdown, sarif, text
from knightwatch.result import RunResult

#: format name -> function rendering a RunResult as a string
FORMATS: dict[str, Callable[[RunResult], str]] = {
    "text": text.render,
    "json": jsonfile.render,
    "sarif": sarif.render,
    "gitlab": gitlab.render,
    "github": github.render,
    "junit": junit.render,
    "markdown": markdown.render,
}


def render(fmt: str, result: RunResult, *, strip_suppressed: bool = False, color: bool | None = None,
           width: int | None = None) -> str:
    """Render RESULT as FMT. `strip_suppressed` drops suppressed findings altogether (not even counted);
    `color` (None: auto) and `width` apply to the text format."""
    if fmt not in FORMATS:
        raise KnightwatchError(f"unknown output format {fmt!r} (choose from {', '.join(FORMATS)})")
    if strip_suppressed:
        result = replace(result, findings=result.active)
    if fmt == "text":
        return text.render(result, color=color, width=width)
    return FORMATS[fmt](result)
