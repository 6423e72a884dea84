"""What a rule reports: severity, location, the path that explains it, a stable fingerprint."""

from __future__ import annotations

import enum
import hashlib
import re
from dataclasses import dataclass, field, replace
from typing import Any


class Severity(enum.IntEnum):
    """Finding severity; the order is the order of importance."""

    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @property
    def sarif_level(self) -> str:
        return {4: "error", 3: "error", 2: "warning", 1: "note"}[self.value]

    @property
    def security_severity(self) -> str:
        """GitHub's `security-severity` score: >=9 critical, 7-8.9 high, 4-6.9 medium, <4 low."""
        return {4: "9.5", 3: "8.0", 2: "5.5", 1: "2.5"}[self.value]

    @classmethod
    def parse(cls, text: str) -> "Severity":
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (choose from critical, high, medium, low)") from None


@dataclass(frozen=True)
class TraceStep:
    """One step of the path that explains a finding (1-based line and column)."""

    path: str
    line: int
    column: int
    message: str


@dataclass(frozen=True)
class Suppression:
    """Why a finding is not counted: an inline ignore or a baseline entry."""

    kind: str  # "inSource" (inline ignore) or "external" (baseline)
    justification: str = ""


@dataclass(frozen=True)
class Finding:
    """One reported condition. `path` is relative to the project root, POSIX separators."""

    rule: str
    name: str
    severity: Severity
    path: str
    line: int
    column: int
    message: str
    symbol: str = ""
    end_line: int = 0
    end_column: int = 0
    trace: tuple[TraceStep, ...] = ()
    properties: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    snippet: str = ""
    fingerprint: str = ""
    suppression: Suppression | None = None

    @property
    def sort_key(self) -> tuple:
        return (self.path, self.line, self.column, self.rule, self.message)


def fingerprint(rule: str, path: str, symbol: str, snippet: str, ordinal: int = 0) -> str:
    """A line-number-free identity: rule, file, symbol and the normalised code line (its trailing
    comment and whitespace left out).

    `ordinal` separates findings that would otherwise collide (the same line text twice).
    """
    code = re.sub(r"\s*#[^'\"]*$", "", snippet)  # a trailing comment (an ignore, say) is not identity
    normalised = " ".join(code.split())
    raw = "\x1f".join((rule, path, symbol, normalised, str(ordinal)))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


def finalise(findings: list[Finding], lines_of) -> list[Finding]:
    """Fill snippets and fingerprints, sort. `lines_of(path)` returns the file's lines or None."""
    done: list[Finding] = []
    seen: dict[str, int] = {}
    for f in sorted(findings, key=lambda f: f.sort_key):
        lines = lines_of(f.path)
        snippet = f.snippet
        if not snippet and lines and 1 <= f.line <= len(lines):
            snippet = lines[f.line - 1].rstrip("\r\n")
        base = fingerprint(f.rule, f.path, f.symbol, snippet)
        ordinal = seen.get(base, 0)
        seen[base] = ordinal + 1
        fp = base if ordinal == 0 else fingerprint(f.rule, f.path, f.symbol, snippet, ordinal)
        done.append(replace(f, snippet=snippet, fingerprint=fp))
    return done
