"""The rule contract: metadata and docs from the docstring, `check(analysis)` yields findings."""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Iterable

from knightwatch.finding import Finding, Severity, TraceStep

if TYPE_CHECKING:  # pragma: no cover
    from knightwatch.analysis import Analysis

SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead")


@dataclass(frozen=True)
class RuleDocs:
    """A rule's documentation, split into ruff-style sections."""

    summary: str
    sections: dict[str, str]

    @property
    def markdown(self) -> str:
        parts = [self.summary, ""]
        for title, body in self.sections.items():
            parts += [f"## {title}", body, ""]
        return "\n".join(parts).strip() + "\n"

    @property
    def text(self) -> str:
        parts = [self.summary, ""]
        for title, body in self.sections.items():
            parts += [title, re.sub(r"^```\w*\n?|^```$", "", body, flags=re.M).strip(), ""]
        return "\n".join(parts).strip() + "\n"

    @property
    def full_description(self) -> str:
        return self.sections.get("What it does", self.summary).strip()


def parse_docs(doc: str) -> RuleDocs:
    """Split a docstring into its first line and `## Section` blocks."""
    doc = inspect.cleandoc(doc or "")
    summary, _, rest = doc.partition("\n")
    sections: dict[str, str] = {}
    for block in re.split(r"^## ", rest, flags=re.M)[1:]:
        title, _, body = block.partition("\n")
        sections[title.strip()] = body.strip()
    return RuleDocs(summary.strip(), sections)


_SHIPPED: dict[str, type["Rule"]] = {}


def shipped_codes() -> frozenset[str]:
    """The codes of knightwatch's own rules (those imported so far: `knightwatch.rules` imports all)."""
    return frozenset(_SHIPPED)


class Rule:
    """Base class of every rule. Subclasses set the class attributes and implement `check`."""

    id: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    #: what the rule needs from the project: any of "coverage", "sinks", "registry", "entry-points"
    needs: ClassVar[frozenset[str]] = frozenset()
    tags: ClassVar[tuple[str, ...]] = ()
    precision: ClassVar[str] = "high"
    #: what the audit calls the legacy code its findings are about ("dormant code"); "" if not legacy
    legacy: ClassVar[str] = ""
    #: its findings are calls of a sink with no breaker before them
    about_unguarded_sink: ClassVar[bool] = False
    #: the status the flag inventory gives the flag its findings name ("recycled"), if any
    flag_status: ClassVar[str] = ""
    #: it judges the inline ignores the other rules left unused, through `unused`, once they have run
    judges_ignores: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.__module__.startswith("knightwatch.rules."):  # the shipped rules register themselves
            _SHIPPED[cls.id] = cls

    @classmethod
    def docs(cls) -> RuleDocs:
        return parse_docs(cls.__doc__ or "")

    def check(self, analysis: "Analysis") -> Iterable[Finding]:  # pragma: no cover - abstract
        raise NotImplementedError

    def finding(
        self,
        path: str,
        line: int,
        message: str,
        *,
        column: int = 1,
        severity: Severity | None = None,
        symbol: str = "",
        end_line: int = 0,
        end_column: int = 0,
        trace: Iterable[TraceStep] = (),
        **properties,
    ) -> Finding:
        return Finding(
            rule=self.id,
            name=self.name,
            severity=severity or self.severity,
            path=path,
            line=line,
            column=column,
            message=message,
            symbol=symbol,
            end_line=end_line or line,
            end_column=end_column,
            trace=tuple(trace),
            properties=properties,
        )
