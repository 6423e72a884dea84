"""What a run hands to the reporters: decided findings, the rules that ran, notes. No ASTs."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from knightwatch import __version__
from knightwatch.finding import Finding, Severity
from knightwatch.rule import Rule

TOOL_NAME = "knightwatch"
TOOL_URI = "https://pypi.org/project/knightwatch/"


@dataclass
class RunResult:
    """The outcome of `knightwatch check`: every finding (suppressed ones carry `suppression`)."""

    root: Path
    findings: list[Finding]
    rules: list[type[Rule]]
    notes: list[str] = field(default_factory=list)
    files_analysed: int = 0
    hosts: list[str] = field(default_factory=list)
    #: problems with the production coverage that did not stop the run (also in `notes`)
    warnings: list[str] = field(default_factory=list)
    category: str | None = None
    version: str = __version__

    @property
    def active(self) -> list[Finding]:
        """Findings that count: neither suppressed inline nor baselined."""
        return [f for f in self.findings if f.suppression is None]

    @property
    def suppressed(self) -> list[Finding]:
        return [f for f in self.findings if f.suppression is not None]

    def summary(self) -> dict:
        active = self.active
        by_severity = Counter(f.severity.label for f in active)
        return {
            "files": self.files_analysed,
            "hosts": list(self.hosts),
            "findings": len(active),
            "suppressed": len(self.findings) - len(active),
            "by_severity": {s.label: by_severity.get(s.label, 0) for s in sorted(Severity, reverse=True)},
            "by_rule": dict(sorted(Counter(f.rule for f in active).items())),
        }
