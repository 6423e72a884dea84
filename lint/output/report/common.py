"""Helpers every reporter shares: ordering, grouping, counts, the verdict line, JSON encoding."""

from __future__ import annotations

import enum
import json
from collections import Counter
from pathlib import PurePath
from typing import Any, Iterable

from knightwatch.finding import Finding, Severity, TraceStep, fingerprint
from knightwatch.result import RunResult

#: most important first
SEVERITIES: tuple[Severity, ...] = tuple(sorted(Severity, reverse=True))


def ordered(findings: Iterable[Finding]) -> list[Finding]:
    """Findings in `Finding.sort_key` order."""
    return sorted(findings, key=lambda f: f.sort_key)


def by_severity(findings: Iterable[Finding]) -> list[tuple[Severity, list[Finding]]]:
    """Non-empty groups, critical first, each in `sort_key` order."""
    items = ordered(findings)
    groups = [(s, [f for f in items if f.severity is s]) for s in SEVERITIES]
    return [(s, group) for s, group in groups if group]


def rule_counts(findings: Iterable[Finding]) -> list[tuple[str, str, Counter]]:
    """(rule id, rule name, count per severity) for each rule with findings, in id order."""
    names: dict[str, str] = {}
    counts: dict[str, Counter] = {}
    for f in findings:
        names.setdefault(f.rule, f.name)
        counts.setdefault(f.rule, Counter())[f.severity] += 1
    return [(rule, names[rule], counts[rule]) for rule in sorted(counts)]


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def verdict(result: RunResult) -> str:
    """One line: how many findings of which severity, where, and how many were suppressed."""
    summary = result.summary()
    scope = f"in {plural(summary['files'], 'file')}"
    if summary["hosts"]:
        scope += f" with coverage from {plural(len(summary['hosts']), 'host')}"
    if summary["findings"]:
        spread = ", ".join(f"{n} {label}" for label, n in summary["by_severity"].items() if n)
        line = f"{plural(summary['findings'], 'finding')} ({spread}) {scope}"
    else:
        line = f"No findings {scope}"
    if summary["suppressed"]:
        line += f"; {summary['suppressed']} suppressed"
    return line + "."


def location(f: Finding) -> str:
    return f"{f.path}:{f.line}:{f.column}"


def step_line(step: TraceStep) -> str:
    return f"{step.path}:{step.line}  {step.message}"


def fingerprint_of(f: Finding) -> str:
    """The finding's fingerprint, computed the standard way when it was never finalised."""
    return f.fingerprint or fingerprint(f.rule, f.path, f.symbol, f.snippet)


def plain(value: Any) -> Any:
    """JSON fallback for property values: sets sorted, enums by value, paths and the rest as text."""
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, PurePath):
        return value.as_posix()
    return str(value)


def properties(f: Finding) -> dict[str, Any]:
    """The finding's properties with sorted keys, so output does not depend on insertion order."""
    return dict(sorted(f.properties.items()))


def dump_json(data: Any) -> str:
    """Deterministic JSON text: keys in the order built, two-space indent, trailing newline."""
    return json.dumps(data, indent=2, default=plain) + "\n"
