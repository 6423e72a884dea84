"""Run the rules over an Analysis and hand a RunResult to the decision layer."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from knightwatch.analysis import Analysis, analyse
from knightwatch.cache import Cache
from knightwatch.config import Config
from knightwatch.decide import selected
from knightwatch.finding import finalise
from knightwatch.result import RunResult
from knightwatch.rule import Rule
from knightwatch.rules import ALL_RULES

NEED_NOTES = {
    "coverage": "no production coverage (set `coverage` in [tool.knightwatch] or pass --coverage)",
    "sinks": "no sinks configured ([tool.knightwatch.safety] sinks)",
    "registry": "no flag registry configured ([tool.knightwatch.flags] registry)",
    "entry-points": "no entry points configured (`entry-points` in [tool.knightwatch])",
}


def missing_needs(rule: type[Rule], analysis: Analysis) -> list[str]:
    have = {
        "coverage": bool(analysis.hosts),
        "sinks": analysis.safety is not None,
        "registry": analysis.registry is not None,
        "entry-points": bool(analysis.config.entry_points),
    }
    return [need for need in sorted(rule.needs) if not have[need]]


def run_rules(analysis: Analysis, rules: list[type[Rule]]) -> tuple[list, list[type[Rule]], list[str]]:
    findings, ran, notes = [], [], []
    for rule in rules:
        missing = missing_needs(rule, analysis)
        if missing:
            notes.append(f"{rule.id} {rule.name} skipped: " + "; ".join(NEED_NOTES[m] for m in missing))
            continue
        ran.append(rule)
        findings.extend(rule().check(analysis))
    return findings, ran, notes


def lines_reader(analysis: Analysis) -> Callable[[str], list[str] | None]:
    """Source lines by relative path, also for non-Python files findings point at (flags.toml)."""
    extra: dict[str, list[str] | None] = {}

    def lines_of(path: str) -> list[str] | None:
        found = analysis.lines_of(path)
        if found is not None:
            return found
        if path not in extra:
            try:
                extra[path] = (analysis.config.root / path).read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                extra[path] = None
        return extra[path]

    return lines_of


def check(config: Config, *, coverage: list[str] | None = None, select: list[str] = (), ignore: list[str] = (),
          cache: Cache | None = None, progress=None) -> tuple[RunResult, Analysis]:
    """Analyse the project and run the selected rules; findings are finalised but not yet decided."""
    analysis = analyse(config, coverage=coverage, cache=cache, progress=progress)
    rules = selected(ALL_RULES, list(select) or config.select, list(ignore) or config.ignore)
    findings, ran, notes = run_rules(analysis, rules)
    notes = analysis.notes + [p.message for p in (analysis.coverage.problems if analysis.coverage else [])] + notes
    result = RunResult(root=config.root, findings=finalise(findings, lines_reader(analysis)), rules=ran,
                       notes=notes, files_analysed=len(analysis.files), hosts=analysis.hosts)
    return result, analysis
