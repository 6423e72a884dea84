"""The periodic tech-debt audit report: `build` the JSON-able model, `render` it as HTML or Markdown."""

from __future__ import annotations

from knightwatch.output.audit import html, markdown
from knightwatch.output.audit.model import SCHEMA, build, dumps, load_previous
from knightwatch.errors import KnightwatchError

RENDERERS = {"html": html.render, "markdown": markdown.render}


def render(fmt: str, model: dict) -> str:
    if fmt not in RENDERERS:
        raise KnightwatchError(f"unknown audit format {fmt!r} (choose from {', '.join(RENDERERS)})")
    return RENDERERS[fmt](model)


__all__ = ["SCHEMA", "RENDERERS", "build", "dumps", "load_previous", "render"]
