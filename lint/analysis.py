"""The pipeline: sources -> summaries -> index -> call and flag graphs -> coverage join -> Analysis.

`Analysis` is everything the rules read. It holds no AST. The process pool that summarises the
files is `knightwatch.source.workers`.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable

from knightwatch.source.cache import Cache, content_key
from knightwatch.graphs.callgraph import CallGraph, Stopped
from knightwatch.config import Config, coverage_files
from knightwatch.production.coverage_join import CoverageJoin, load_coverage
from knightwatch.production.event_code import Observation, observe
from knightwatch.production.event_code import notes as calendar_notes
from knightwatch.derived import Derived
from knightwatch.graphs.flags import FlagGraph, Registry, load_registry
from knightwatch.graphs.index import Index
from knightwatch.graphs.liveness import Liveness
from knightwatch.graphs.liveness import compute as compute_liveness
from knightwatch.graphs.liveness import code_line, entered
from knightwatch.source.parse import decode, parse_error
from knightwatch.graphs.reach import entry_nodes, reachable
from knightwatch.graphs.reuse import load as load_stage, stage_key, store as store_stage
from knightwatch.graphs.safety import Safety
from knightwatch.source.sources import SourceFile, discover
from knightwatch.source.workers import Checks, summarise_all


@dataclass
class FileInfo:
    """One analysed file: its module, text, summary (None if it did not parse) or error."""

    source: SourceFile
    text: str
    summary: dict | None
    error: tuple[int, int, str] | None = None

    @property
    def path(self) -> str:
        return self.source.relpath

    @cached_property
    def lines(self) -> list[str]:
        return self.text.splitlines()


class _LineIndex:
    """Which hosts executed which lines of one file: per executed line, a bit per group of hosts with
    identical data, so a range costs its executed lines, not the number of hosts."""

    def __init__(self, groups) -> None:
        self.groups = [hosts for _, hosts in groups]
        masks: dict[int, int] = {}
        for bit, (run, _) in enumerate(groups):
            for n in run.lines:
                masks[n] = masks.get(n, 0) | 1 << bit
        self.lines = sorted(masks)
        self.masks = [masks[n] for n in self.lines]
        self.memo: dict[int, frozenset[str]] = {0: frozenset()}

    def hosts(self, start: int, end: int) -> frozenset[str]:
        mask = 0
        for m in self.masks[bisect_left(self.lines, start):bisect_right(self.lines, end)]:
            mask |= m
        found = self.memo.get(mask)
        if found is None:
            found = self.memo[mask] = frozenset().union(
                *(hosts for bit, hosts in enumerate(self.groups) if mask >> bit & 1))
        return found


@dataclass
class Analysis:
    """What the rules read: files, graphs, flags, coverage, reachability, safety paths."""

    config: Config
    files: dict[str, FileInfo]
    notes: list[str]
    index: Index | None = None
    callgraph: CallGraph | None = None
    flags: FlagGraph | None = None
    registry: Registry | None = None
    coverage: CoverageJoin | None = None
    safety: Safety | None = None
    roots: list[str] = field(default_factory=list)
    reach_all: dict[str, str | None] = field(default_factory=dict)  # over call, may and ref edges
    reach_static: dict[str, str | None] = field(default_factory=dict)  # over call and ref edges only
    #: calendar events seen in the hosts' coverage windows, and the code still waiting for one
    observation: Observation | None = None
    _line_index: dict[str, _LineIndex] = field(default_factory=dict)
    _sink_reachers: frozenset[str] | None = None
    _liveness: Liveness | None = None
    cache: Cache | None = None  # where per-file summaries (and flag lineage) are kept
    _lineage: object = None  # lineage.Lineage, built on first use
    _derived: Derived | None = None  # derived.Derived, built on first use

    @property
    def lineage(self):
        """What each flag gated release by release (`lineage.Lineage`), None unless
        `[tool.knightwatch.releases]` is configured; read from git on first use."""
        if self._lineage is None and self.config.releases is not None:
            from knightwatch.production.lineage import build

            self._lineage = build(self, self.cache or Cache(None))
        return self._lineage

    def lines_of(self, path: str) -> list[str] | None:
        info = self.files.get(path)
        return info.lines if info else None

    @property
    def hosts(self) -> list[str]:
        return self.coverage.hosts if self.coverage else []

    def ran_on(self, path: str, start: int, end: int) -> frozenset[str]:
        """Hosts that executed any line in [START, END] of PATH."""
        if not self.coverage:
            return frozenset()
        index = self._line_index.get(path)
        if index is None:
            index = self._line_index[path] = _LineIndex(self.coverage.groups(path))
        return index.hosts(start, end)

    def unknown_on(self, path: str, start: int, end: int) -> frozenset[str]:
        """Hosts that ran none of [START, END] of PATH as far as their data says, but have no data for
        some of those lines (added or changed since the revision they ran): whether they ran is unknown."""
        if not self.coverage:
            return frozenset()
        unknown = self.coverage.unknown_hosts(path, start, end)
        return unknown - self.ran_on(path, start, end) if unknown else unknown

    def function_hosts(self, qname: str) -> frozenset[str]:
        """Hosts on which the body of function QNAME ran (for a body of a docstring alone, which
        coverage records no line of: hosts whose arcs enter it)."""
        data = self.callgraph.graph.nodes[qname]
        if self.index is not None and qname in self.index.defs and self.index.entry(qname).get("bare"):
            return entered(self, data["path"], code_line(self.index, qname, data["line"]))
        return self.ran_on(data["path"], data["body"] or data["line"], data["end"])

    def function_unknown(self, qname: str) -> frozenset[str]:
        """Hosts for which whether the body of QNAME ran is unknown."""
        data = self.callgraph.graph.nodes[qname]
        return self.unknown_on(data["path"], data["body"] or data["line"], data["end"])

    def region_hosts(self, region) -> frozenset[str]:
        if region.start <= region.read.line <= region.end:
            return frozenset()  # `x = a() if flag else b()`: the line ran whichever side did
        return self.ran_on(region.path, region.start, region.end)

    def region_unknown(self, region) -> frozenset[str]:
        """Hosts for which whether REGION ran is unknown: its lines changed since, or it shares its
        line with the test that gates it (line coverage cannot tell one side of the line from the other)."""
        if region.start <= region.read.line <= region.end:
            return self.ran_on(region.path, region.start, region.end)
        return self.unknown_on(region.path, region.start, region.end)

    @property
    def derived(self) -> Derived:
        """The facts several rules and the audit derive from this analysis, computed once."""
        if self._derived is None:
            self._derived = Derived(self)
        return self._derived

    @property
    def liveness(self) -> Liveness:
        """What KW102 counts as alive, with the coverage evidence the call graph cannot explain."""
        if self._liveness is None:
            self._liveness = compute_liveness(self)
        return self._liveness

    @property
    def sink_reachers(self) -> frozenset[str]:
        """Functions from which a sink can be reached over call and may-call edges (a decorator's
        wrapper followed in the context of each call of it: see `knightwatch.graphs.wrappers`)."""
        if self._sink_reachers is None:
            found = {fn for fn, ctx in self.safety.reaching if ctx is None} if self.safety else set()
            self._sink_reachers = frozenset(found)
        return self._sink_reachers

    def sites_reach_sink(self, sites) -> bool:
        return bool(self.safety) and any(self.safety.site_reaches_sink(s) for s in sites)

    def sink_note(self, sites) -> str:
        """'; it reaches sink S' when a chain of calls from SITES reaches sink S, else ''."""
        sink = self.safety.sink_reached(sites) if self.safety else None
        return f"; it reaches sink {sink}" if sink else ""

    def is_test_code(self, path: str) -> bool:
        name = path.rsplit("/", 1)[-1]
        return name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py" \
            or "/tests/" in f"/{path}" or "/test/" in f"/{path}"


def _info(sf: SourceFile, text: str, record: dict) -> FileInfo:
    error = record.get("error")
    return FileInfo(sf, text, record if "scopes" in record else None, tuple(error) if error else None)


def _read_one(sf: SourceFile, limit: int, cache: Cache) -> tuple[FileInfo, str | None]:
    """Read SF: its FileInfo (complete unless a cache key to summarise it under comes with it)."""
    try:
        data = sf.abspath.read_bytes()
    except OSError as exc:
        return FileInfo(sf, "", None, (1, 1, f"cannot read file: {exc.strerror or exc}")), None
    if len(data) > limit:
        return FileInfo(sf, "", None, (1, 1, f"file is {len(data):,} bytes, over the {limit:,}-byte limit "
                                               "(max-file-size); not analysed")), None
    try:
        text = decode(data)
    except SyntaxError as exc:
        e = parse_error(exc)
        return FileInfo(sf, "", None, (e.line, e.column, e.message)), None
    key = content_key(data, sf.module, sf.is_package)
    cached = cache.get(key)
    if cached is not None:
        return _info(sf, text, cached), None
    return FileInfo(sf, text, None), key


def _read_sources(files: list[SourceFile], config: Config, cache: Cache,
                  progress: Callable[[int, int], None] | None,
                  stack: ExitStack) -> tuple[dict[str, FileInfo], Checks]:
    """Every file's text and summary: from the cache when its content is known, else parsed now;
    and a function giving the records of files the compiler's checks, still running, refuse."""
    infos: dict[str, FileInfo] = {}
    jobs = []
    for sf in files:
        infos[sf.relpath], key = _read_one(sf, config.max_file_size, cache)
        if key is not None:
            jobs.append((sf.relpath, sf.module, sf.is_package, infos[sf.relpath].text, key))
    records, refused = summarise_all(jobs, cache, progress, stack)
    for relpath, record in records.items():
        infos[relpath] = _info(infos[relpath].source, infos[relpath].text, record)
    return {k: infos[k] for k in sorted(infos)}, refused


def analyse(config: Config, *, coverage: list[str] | None = None, cache: Cache | None = None,
            progress: Callable[[int, int], None] | None = None) -> Analysis:
    """Run every stage up to the rules."""
    notes: list[str] = []
    files = discover(config.root, config.source, config.exclude, notes, config.package_dirs)
    cache = cache or Cache(None)
    cache.prune()
    with ExitStack() as stack:
        infos, checks = _read_sources(files, config, cache, progress, stack)
        def settle() -> None:  # the workers are done with before the call graph is stored (its peak)
            checks()
            stack.close()
        try:  # the call graph stops early once the checks refuse a file: it is built again without it
            analysis = _analyse_files(config, infos, notes, coverage, cache, stop=lambda: bool(checks(wait=False)),
                                      settle=settle)
        except Stopped:
            analysis = None
        refused = checks()
    if refused:  # rare: files that parse but do not compile were in the analysis: it is done again
        analysis = None  # (the first is dropped before the second is built: the peak stays one analysis)
        for relpath, record in refused.items():
            infos[relpath] = _info(infos[relpath].source, infos[relpath].text, record)
        analysis = _analyse_files(config, infos, notes, coverage, cache)
    analysis.cache = cache
    return analysis


def _call_graph(parsed: dict[str, dict], paths: dict[str, str], cache: Cache | None,
                stop: Callable[[], bool] | None = None, settle: Callable[[], None] | None = None) -> CallGraph:
    """The index and call graph of PARSED: the last run's when it read the same summaries and paths
    but for positions (`knightwatch.graphs.reuse`), else built now (and stored for the next run,
    after SETTLE: storing is the run's memory peak, and SETTLE ends the work still running beside it)."""
    if cache is None or cache.directory is None or not cache.keeps_stages:
        return CallGraph(Index(parsed), paths).build(stop=stop)
    key = stage_key(parsed, paths)
    cg = load_stage(cache, key)
    if cg is None:
        cg = CallGraph(Index(parsed), paths).build(stop=stop)
        if settle is not None:
            settle()
        store_stage(cache, key, cg)
    else:
        cg.rebase(parsed)
    return cg


def _analyse_files(config: Config, infos: dict[str, FileInfo], notes: list[str],
                   coverage: list[str] | None, cache: Cache | None = None,
                   stop: Callable[[], bool] | None = None, settle: Callable[[], None] | None = None) -> Analysis:
    """The whole-program stages over the summaries in INFOS (the call graph raises `Stopped` once
    STOP says it is no longer wanted; SETTLE, see `_call_graph`)."""
    analysis = Analysis(config, infos, notes)
    parsed = {i.source.module: i.summary for i in infos.values() if i.summary is not None}
    paths = {i.source.module: i.path for i in infos.values() if i.summary is not None}
    cg = analysis.callgraph = _call_graph(parsed, paths, cache, stop, settle)
    analysis.index = cg.index
    analysis.flags = FlagGraph(cg, config)
    notes += [f"flags: {q} is named like a flag SDK's accessor but is the project's own function, so its calls "
              f"are not read as flag reads; if it reads flags, add it to [tool.knightwatch.flags] accessors"
              for q in sorted(analysis.flags.lookalikes)]
    if config.registry:
        analysis.registry = load_registry(config.registry, config.root)
    if config.entry_points:
        analysis.roots = entry_nodes(cg.graph, config.entry_points, config.where)
    else:  # a library: every module's top level is an entry
        analysis.roots = sorted(parsed)
    # a module run as a program: one with a `__main__` block, or a package's `__main__` (`python -m pkg`)
    analysis.roots += sorted(m for m, s in parsed.items()
                             if (s.get("main_block") or m.endswith(".__main__")) and m not in analysis.roots)
    analysis.reach_all = reachable(cg.graph, analysis.roots, frozenset({"call", "may", "ref"}))
    analysis.reach_static = reachable(cg.graph, analysis.roots, frozenset({"call", "ref"}))
    if config.sinks:
        analysis.safety = Safety(cg, config.sinks, config.breakers, config.where,
                                 {i.path: i.text for i in infos.values() if i.summary is not None})
    data_files = coverage_files(config, coverage if coverage is not None else config.coverage)
    if data_files:
        sources = {i.path: i.text for i in infos.values() if i.summary is not None}
        analysis.coverage = load_coverage(data_files, config.root, sources, config.paths, config.hosts, config.where)
    if config.calendar and config.calendar.events and analysis.hosts:
        analysis.observation = observe(analysis, config.calendar)
        analysis.notes = notes + calendar_notes(analysis.observation)
    return analysis
