"""GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` annotation per active finding."""

from __future__ import annotations

from knightwatch.finding import Finding, Severity
from knightwatch.output.report.common import ordered
from knightwatch.result import RunResult

COMMAND = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "notice"}


def escape_data(text: str) -> str:
    """Escape a command's message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a command property value (`file=`, `title=` ...)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(f: Finding) -> str:
    line = max(1, f.line)
    props = {
        "file": f.path,
        "line": line,
        "col": max(1, f.column),
        "endLine": max(line, f.end_line),
        "title": f"{f.rule} {f.name}",
    }
    joined = ",".join(f"{key}={escape_property(str(value))}" for key, value in props.items())
    return f"::{COMMAND[f.severity]} {joined}::{escape_data(f.message)}"


def render(result: RunResult) -> str:
    return "".join(annotation(f) + "\n" for f in ordered(result.active))
