"""Run the rules over an Analysis, apply the decision layer (ignores, baselines), build the RunResult."""

from __future__ import annotations

import gc
import hashlib
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from knightwatch.source.cache import Cache, tool_digest
from knightwatch.config import Config, coverage_files
from knightwatch.decide.baseline import load_baseline, rebased, tree_at
from knightwatch.decide.filters import apply_baseline, ignores_of, selected, suppress_inline, unused_codes
from knightwatch.errors import KnightwatchError
from knightwatch.finding import Finding, finalise
from knightwatch.graphs.liveness import pytest_testpaths, unanalysed_tests
from knightwatch.result import RunResult
from knightwatch.production.revisions import head_commit
from knightwatch.rule import Rule
from knightwatch.clock import today
from knightwatch.rules import ALL_RULES
from knightwatch.source.sources import discover

if TYPE_CHECKING:  # the analysis (networkx, coverage) is imported only when a run is not replayed
    from knightwatch.analysis import Analysis

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


def decide_inline(findings: list[Finding], analysis: Analysis, ran: list[type[Rule]],
                  lines_of: Callable[[str], list[str] | None]) -> list[Finding]:
    """Finalise, apply the inline ignores, and report the ignores that suppressed nothing (KW002, if it ran)."""
    ignores = ignores_of(analysis)
    findings, used = suppress_inline(finalise(findings, lines_of), ignores)
    judge = next((r for r in ran if r.judges_ignores), None)
    if judge:
        judged = {r.id for r in ran} - {judge.id}
        stale = [judge().unused(ig, codes) for ig, codes in unused_codes(used, judged)]
        findings += suppress_inline(finalise(stale, lines_of), ignores)[0]
    return sorted(findings, key=lambda f: f.sort_key)


@contextmanager
def _gc_paused():
    """The pipeline builds millions of acyclic objects: collections would only cost time. The
    previous state is restored afterwards, with what was made meanwhile moved straight to the oldest
    generation: re-enabling would otherwise scan all of it at the next allocation; a later full
    collection still frees any cycles (benchmarks/notes.md has the measurements)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.unfreeze()
            gc.enable()


#: files whose packaging metadata KW102 reads (`knightwatch.graphs.liveness`)
PACKAGING_FILES = ("pyproject.toml", "setup.cfg", "setup.py")


def run_stamp(config: Config, coverage: list[str] | None, rules: list[type[Rule]]) -> str:
    """A digest of everything a run's result depends on: the tool, the config, the rules, today's date,
    the content of every source file, coverage data file and the flag registry, (with KW102) the test
    files not analysed, pytest's `testpaths` and the packaging metadata, (with coverage) the git commit
    checked out, (with a calendar) the coverage data files' modification times, and (with flag
    lineage) the releases."""
    h = hashlib.blake2b(tool_digest(), digest_size=20)
    h.update(repr((config, [r.id for r in rules], today().isoformat())).encode())
    found = discover(config.root, config.source, config.exclude, [], config.package_dirs)
    sources = [sf.abspath for sf in found]
    data_files = coverage_files(config, coverage if coverage is not None else config.coverage)
    if data_files:  # hosts' revisions are inferred from git history: a new commit can change the result
        h.update(head_commit(config.root).encode())
    if config.releases is not None:  # flag lineage reads the release tags and HEAD's history
        from knightwatch.production.lineage import stamp as lineage_stamp

        h.update(lineage_stamp(config).encode())
    inputs = sources + data_files
    if any(r.id == "KW102" for r in rules):  # code the tests that are not analysed use is alive
        testpaths = pytest_testpaths(config.root)
        h.update(repr(testpaths).encode())
        inputs += unanalysed_tests(config.root, {sf.relpath for sf in found}, testpaths)
        # and the packaging metadata: its scripts and entry points, and whether it is a library
        inputs += [config.root / name for name in PACKAGING_FILES]
    for path in inputs + ([config.registry] if config.registry else []):
        try:
            data = path.read_bytes()
        except OSError as exc:
            data = f"unreadable: {exc.strerror}".encode()
        h.update(str(path).encode() + b"\0" + hashlib.blake2b(data, digest_size=20).digest())
    if config.calendar:  # a host's coverage window can end on the day its data file was written
        for path in data_files:
            try:
                h.update(str(path.stat().st_mtime_ns).encode())
            except OSError:
                pass
    return h.hexdigest()


def judge(config: Config, coverage: list[str] | None, rules: list[type[Rule]], cache: Cache,
          progress=None, need_analysis: bool = False) -> tuple[RunResult, Analysis | None]:
    """Analyse, run RULES and apply the inline ignores: no baseline yet. With a cache, a run whose
    inputs (`run_stamp`) are all unchanged replays the stored result instead (Analysis None) unless
    the caller NEEDs the ANALYSIS; a run with fatal coverage problems, or whose inputs changed while
    it ran, is not stored."""
    stamp = slot = None
    if cache.directory is not None:
        slot = hashlib.blake2b(repr((str(config.root), [r.id for r in rules])).encode(), digest_size=20).hexdigest()
        stamp = run_stamp(config, coverage, rules)
        replay = None if need_analysis else cache.get_run(slot, stamp, rules, config.root)
        if replay is not None:
            return replay, None
    with _gc_paused():
        analysis = analysis_of(config, coverage=coverage, cache=cache, progress=progress)
        findings, ran, notes = run_rules(analysis, rules)
        problems = analysis.coverage.problems if analysis.coverage else []
        findings = decide_inline(findings, analysis, ran, lines_reader(analysis))
    result = RunResult(root=config.root, findings=findings, rules=ran, notes=analysis.notes + [
        p.message for p in problems] + notes, files_analysed=len(analysis.files), hosts=analysis.hosts,
        warnings=[p.message for p in problems if not p.fatal and p.kind != "revision"])  # which revision: a note
    if stamp is not None and not any(p.fatal for p in problems) and run_stamp(config, coverage, rules) == stamp:
        cache.put_run(slot, stamp, result)
    return result, analysis


def analysis_of(config: Config, *, coverage: list[str] | None = None, cache: Cache | None = None,
                progress=None) -> Analysis:
    """Every stage up to the rules, with the per-file summaries from CACHE where their files are unchanged."""
    from knightwatch.analysis import analyse

    return analyse(config, coverage=coverage, cache=cache, progress=progress)


def _shown(path: Path, root: Path) -> str:
    full = path.resolve()
    return full.relative_to(root).as_posix() if full.is_relative_to(root) else str(path)


class _SummariesOnly(Cache):
    """The per-file summaries of CACHE, but no stored runs or stages: a throwaway tree is never seen again."""

    keeps_stages = False

    def __init__(self, cache: Cache | None):
        super().__init__(cache.directory if cache else None)

    def get_run(self, *args) -> None:
        return None

    def put_run(self, *args) -> None:
        pass


def _known_at(ref: str, config: Config, coverage: list[str] | None, select, ignore, cache: Cache | None) -> set[str]:
    """Fingerprints of every finding in the project as of git REF (same config, today's coverage)."""
    with tree_at(config.root, ref) as old_root:
        old_config, patterns = rebased(config, old_root, coverage)
        old_config = replace(old_config, history=(config.root, ref))
        try:
            old, _ = check(old_config, coverage=patterns, select=select, ignore=ignore, cache=_SummariesOnly(cache))
        except KnightwatchError as exc:
            raise KnightwatchError(f"--baseline-ref {ref}: {exc}") from None
    return {f.fingerprint for f in old.findings}


def check(config: Config, *, coverage: list[str] | None = None, select: list[str] = (), ignore: list[str] = (),
          cache: Cache | None = None, progress=None, baseline: Path | None = None,
          baseline_ref: str | None = None, need_analysis: bool = False) -> tuple[RunResult, Analysis | None]:
    """Analyse the project, run the selected rules and decide: inline ignores and the BASELINE file
    suppress findings; with BASELINE_REF, findings already present at that commit are dropped.
    The Analysis is None when the result was replayed from the cache (see `judge`), never when
    NEED_ANALYSIS."""
    known = load_baseline(baseline) if baseline is not None else None
    origins = tuple(f"--{key}" if given else f"{config.where}: [tool.knightwatch] '{key}'"
                    for key, given in (("select", select), ("ignore", ignore)))
    rules = selected(ALL_RULES, list(select) or config.select, list(ignore) or config.ignore, origins)
    judged, analysis = judge(config, coverage, rules, cache or Cache(None), progress, need_analysis)
    findings, ran, notes = judged.findings, judged.rules, judged.notes
    if known is not None:
        findings = apply_baseline(findings, known, _shown(baseline, config.root))
        stale = len(known - {f.fingerprint for f in findings})
        if stale:
            notes.append(f"baseline {_shown(baseline, config.root)}: {stale} of {len(known)} entries matched no "
                         "finding (fixed, or the line changed); refresh it with `knightwatch baseline`")
    if baseline_ref:
        old = _known_at(baseline_ref, config, coverage, select, ignore, cache)
        new = [f for f in findings if f.fingerprint not in old]
        notes.append(f"--baseline-ref {baseline_ref}: {len(findings) - len(new)} finding(s) already present "
                     "there not reported")
        findings = new
    result = RunResult(root=config.root, findings=findings, rules=ran, notes=notes,
                       files_analysed=judged.files_analysed, hosts=judged.hosts, warnings=judged.warnings)
    return result, analysis
