"""Terminal output with rich: findings by severity with code line and path, a summary, the verdict."""

from __future__ import annotations

import io
import os
import sys

from rich import box
from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from knightwatch.finding import Finding, Severity
from knightwatch.output.report.common import SEVERITIES, by_severity, location, rule_counts, step_line, verdict
from knightwatch.result import RunResult

STYLE = {Severity.CRITICAL: "bold red", Severity.HIGH: "red", Severity.MEDIUM: "yellow", Severity.LOW: "cyan"}


def use_color(color: bool | None) -> bool:
    """An explicit choice wins; otherwise colour on a terminal unless NO_COLOR (FORCE_COLOR forces it)."""
    if color is not None:
        return color
    if os.environ.get("NO_COLOR"):
        return False
    return bool(os.environ.get("FORCE_COLOR")) or (sys.stdout is not None and sys.stdout.isatty())


def _indent(text: Text, level: int) -> Padding:
    return Padding(text, (0, 0, 0, 2 * level), expand=False)


def _finding(f: Finding) -> RenderableType:
    parts: list[RenderableType] = [
        Text.assemble((f"{f.rule} {f.name}", STYLE[f.severity]), "  ", (location(f), "bold")),
        _indent(Text(f.message), 1),
    ]
    if f.snippet:
        parts.append(_indent(Text.assemble((f"{f.line} | ", "dim"), f.snippet.rstrip()), 2))
    if f.trace:
        parts.append(_indent(Text("path:", style="dim"), 1))
        parts += [_indent(Text(step_line(s)), 2) for s in f.trace]
    return Group(*parts, Text())


def _count(n: int, severity: Severity) -> Text:
    return Text(str(n), style=STYLE[severity] if n else "dim")


def _summary(result: RunResult) -> Table:
    table = Table(title="Summary", box=box.SIMPLE, title_justify="left", show_footer=True)
    active = result.active
    table.add_column("Rule", footer="All")
    table.add_column("Name", overflow="fold")
    for s in SEVERITIES:
        total = sum(1 for f in active if f.severity is s)
        table.add_column(s.label.capitalize(), footer=_count(total, s), justify="right")
    table.add_column("Total", footer=str(len(active)), justify="right")
    for rule, name, counts in rule_counts(active):
        table.add_row(rule, name, *(_count(counts[s], s) for s in SEVERITIES), str(sum(counts.values())))
    return table


def render(result: RunResult, *, color: bool | None = None, width: int | None = None) -> str:
    """The whole report as a string, with ANSI styles only when colour is on."""
    colored = use_color(color)
    out = io.StringIO()
    console = Console(file=out, force_terminal=colored, no_color=not colored, width=width,
                      markup=False, emoji=False, highlight=False)
    for severity, group in by_severity(result.active):
        console.print(Text(f"{severity.label.upper()} ({len(group)})", style=STYLE[severity] + " underline"))
        console.print()
        for f in group:
            console.print(_finding(f))
    if result.active:
        console.print(_summary(result))
    if result.notes:
        console.print(Text("Notes", style="bold"))
        for note in result.notes:
            console.print(_indent(Text(f"- {note}"), 1))
        console.print()
    worst = max((f.severity for f in result.active), default=None)
    console.print(Text(verdict(result), style=f"bold {STYLE[worst] if worst else 'green'}"))
    return out.getvalue()
