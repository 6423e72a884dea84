"""A Markdown summary for `$GITHUB_STEP_SUMMARY`: verdict, counts, findings by severity, capped in size."""

from __future__ import annotations

import html
from typing import Iterator

from knightwatch.finding import Finding
from knightwatch.output.report.common import SEVERITIES, by_severity, location, plural, rule_counts, step_line, verdict
from knightwatch.result import TOOL_NAME, RunResult

#: GitHub refuses step summaries over 1 MiB; stay well below it
MAX_BYTES = 512 * 1024


def _cell(text: str) -> str:
    """Text safe inside a table cell: HTML escaped, pipes escaped, newlines as <br>."""
    return html.escape(text, quote=False).replace("|", "\\|").replace("\r", "").replace("\n", "<br>")


def _counts(result: RunResult) -> list[str]:
    active = result.active
    head = ["Rule", "Name", *(s.label.capitalize() for s in SEVERITIES), "Total"]
    rows = [
        [rule, _cell(name), *(str(counts[s]) for s in SEVERITIES), str(sum(counts.values()))]
        for rule, name, counts in rule_counts(active)
    ]
    rows.append(["**All**", "", *(str(sum(f.severity is s for f in active)) for s in SEVERITIES), str(len(active))])
    return [_row(head), "|---|---|" + "--:|" * (len(SEVERITIES) + 1), *(_row(r) for r in rows)]


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _finding_row(f: Finding) -> str:
    message = _cell(f.message)
    if f.trace:
        steps = "".join(f"<li>{_cell(step_line(s))}</li>" for s in f.trace)
        message += f"<details><summary>Code path ({plural(len(f.trace), 'step')})</summary><ol>{steps}</ol></details>"
    return _row([f"{f.rule} {_cell(f.name)}", f"<code>{_cell(location(f))}</code>", message])


def _chunks(result: RunResult) -> Iterator[list[str]]:
    """One chunk per finding; the first of each severity carries the section heading."""
    for severity, group in by_severity(result.active):
        heading = ["", f"### {severity.label.capitalize()} ({len(group)})", "",
                   "| Rule | Location | Message |", "|---|---|---|"]
        for i, f in enumerate(group):
            yield (heading if i == 0 else []) + [_finding_row(f)]


def render(result: RunResult) -> str:
    mark = "\u274c" if result.active else "\u2705"
    lines = [f"## {mark} {TOOL_NAME}: {_cell(verdict(result))}", ""]
    if result.active:
        lines += _counts(result)
    tail = ["", "### Notes", "", *(f"- {_cell(note)}" for note in result.notes)] if result.notes else []
    budget = MAX_BYTES - len("\n".join(lines + tail).encode()) - 1024  # room for the truncation line
    shown = 0
    for chunk in _chunks(result):
        cost = len("\n".join(chunk).encode()) + 1
        if cost > budget:
            break
        budget -= cost
        lines += chunk
        shown += 1
    if shown < len(result.active):
        lines += ["", f"> **Truncated:** {shown} of {len(result.active)} findings shown to keep this summary "
                      f"under GitHub's 1 MiB limit; see the JSON or SARIF report for all of them."]
    return "\n".join(lines + tail) + "\n"
