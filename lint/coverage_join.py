"""Join production coverage.py data (one data file per host) to the analysed files.

Each measured path (absolute, from another machine) is mapped to an analysed file through the
explicit `path_map` first, then by the longest matching path suffix. Data that cannot belong to
the analysed text (lines past the end, or on blank/comment lines) is refused for that host.
"""

from __future__ import annotations

import inspect
import io
import re
import shutil
import tempfile
import tokenize
from contextlib import ExitStack
from dataclasses import dataclass, field
from itertools import chain
from os.path import abspath
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from coverage import CoverageData

from knightwatch.errors import KnightwatchError

Arc = tuple[int, int]
_Executed = tuple[frozenset[int], frozenset[Arc]]  # lines, arcs


@dataclass(frozen=True)
class FileRun:
    """What one host executed in one analysed file (arcs are coverage's, entry/exit ones negative)."""

    lines: frozenset[int]
    arcs: frozenset[Arc] | None  # None for line-only data


@dataclass(frozen=True)
class CoverageProblem:
    """Something wrong with a data file; `fatal` means the results cannot be trusted."""

    kind: str  # missing, corrupt, not-coverage, mixed, mismatch, unmatched, empty
    data_file: str
    host: str | None
    path: str | None
    message: str
    fatal: bool


@dataclass
class CoverageJoin:
    """Per-host executed lines (and arcs) of the analysed files."""

    hosts: list[str]
    problems: list[CoverageProblem]
    has_arcs: bool
    _runs: dict[str, dict[str, FileRun]] = field(default_factory=dict, repr=False)  # relpath -> host -> run
    _refused: frozenset[tuple[str, str]] = field(default_factory=frozenset, repr=False)

    def run(self, host: str, relpath: str) -> FileRun | None:
        """None when the host never imported the file (or its data was refused: see `mismatched`)."""
        return self._runs.get(relpath, {}).get(host)

    def executed(self, relpath: str) -> dict[str, frozenset[int]]:
        """Host -> executed lines, for the hosts that imported the file."""
        return {host: run.lines for host, run in self._runs.get(relpath, {}).items()}

    def hosts_running(self, relpath: str, lines: Iterable[int]) -> frozenset[str]:
        """The hosts that executed any of `lines` of the file."""
        wanted = frozenset(lines)
        return frozenset(h for h, run in self._runs.get(relpath, {}).items() if not run.lines.isdisjoint(wanted))

    def mismatched(self, host: str, relpath: str) -> bool:
        """True when the host's data for the file was refused (it ran a different version)."""
        return (host, relpath) in self._refused


_PARALLEL_SUFFIX = re.compile(r"\.pid\d+\.X\w+x(?:\.H\w+h)?$")


def host_name(data_file: Path) -> str:
    """`.coverage.<host>` or parallel-mode `.coverage.<host>.pid<n>.X<rand>x` -> host; else the file name."""
    name = data_file.name
    host = _PARALLEL_SUFFIX.sub("", name[len(".coverage.") :]) if name.startswith(".coverage.") else ""
    return host or name


# -- path remapping ---------------------------------------------------------------------------

_SEP = re.compile(r"[/\\]")
_GLOB_TOKEN = re.compile(r"\*\*[/\\]|\*\*|\*|\?|\[[^\]]*\]|[/\\]|[^*?\[/\\]+|\[")


def _alias_regex(canonical: str, pattern: str) -> re.Pattern[str]:
    """An alias as a prefix regex ending at a separator: `*` and `?` stay in a component, `**` spans."""
    out = []
    for tok in _GLOB_TOKEN.findall(pattern.rstrip("/\\")):
        if tok[:2] == "**":
            out.append(r"(?:.*[/\\])?" if len(tok) == 3 else ".*")
        elif tok in ("*", "?"):
            out.append(r"[^/\\]" + ("*" if tok == "*" else ""))
        elif tok in ("/", "\\"):
            out.append(r"[/\\]")
        elif len(tok) > 1 and tok[0] == "[":
            body = tok[1:-1]
            out.append("[" + ("^" + body[1:] if body[:1] == "!" else body).replace("\\", "\\\\") + "]")
        else:
            out.append(re.escape(tok))
    try:
        return re.compile("".join(out) + r"[/\\]")
    except re.error as exc:
        raise KnightwatchError(f"[tool.knightwatch.paths] {canonical!r}: bad pattern {pattern!r}: {exc}") from None


class _Node:
    """A trie node over reversed path components."""

    __slots__ = ("children", "paths", "full")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.paths: list[str] = []  # analysed files whose path ends with this suffix
        self.full: str | None = None  # the analysed file that is exactly this suffix


class _Matcher:
    """Measured path -> analysed relpath, via `path_map` aliases then the longest component suffix."""

    def __init__(self, relpaths: Iterable[str], path_map: Mapping[str, Sequence[str]]) -> None:
        self.known = frozenset(relpaths)
        self.aliases = [
            ([c for c in canonical.split("/") if c not in ("", ".")], _alias_regex(canonical, alias))
            for canonical, aliases in path_map.items()
            for alias in aliases
        ]
        self.root = _Node()
        for rel in self.known:
            node = self.root
            for comp in reversed(rel.split("/")):
                node = node.children.get(comp) or node.children.setdefault(comp, _Node())
                node.paths.append(rel)
            node.full = rel

    def match(self, measured: str) -> str | tuple[str, ...] | None:
        """The analysed relpath, the tied candidates when ambiguous, or None.

        An alias whose remapped path is not an analysed file falls through to suffix matching; among
        equal suffixes, an analysed file matched in full beats longer ones matched in part.
        """
        for canonical, regex in self.aliases:
            m = regex.match(measured)
            if m:
                rel = "/".join(canonical + [c for c in _SEP.split(measured[m.end() :]) if c])
                if rel in self.known:
                    return rel
        node, depth = self.root, 0
        for comp in reversed([c for c in _SEP.split(measured) if c]):
            child = node.children.get(comp)
            if child is None:
                break
            node, depth = child, depth + 1
        if node.full is not None:
            return node.full
        if depth < 2:  # a bare file name is too weak to join on
            return None
        return node.paths[0] if len(node.paths) == 1 else tuple(sorted(node.paths))


# -- checking data against the analysed text ---------------------------------------------------

_NOT_CODE = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER}


def _code_rows(lines: list[str]) -> set[int] | None:
    """Rows spanned by code tokens (so `# {x}` inside a multi-line f-string counts); None if untokenizable."""
    rows: set[int] = set()
    try:
        for tok in tokenize.generate_tokens(io.StringIO("\n".join(lines) + "\n").readline):
            if tok.type not in _NOT_CODE:
                rows.update(range(tok.start[0], tok.end[0] + 1))
    except (tokenize.TokenError, SyntaxError):
        return None
    return rows


class _SourceCheck:
    """Finds executed lines that cannot be code in the analysed text: a cheap scan, tokenize to confirm."""

    def __init__(self, sources: Mapping[str, str]) -> None:
        self.sources = sources
        self.cache: dict[str, tuple[list[str], frozenset[int], bool]] = {}  # lines, not-code, confirmed

    def _info(self, relpath: str) -> tuple[list[str], frozenset[int], bool]:
        if relpath not in self.cache:
            lines = self.sources[relpath].replace("\r\n", "\n").replace("\r", "\n").split("\n")
            if lines[-1] == "":
                lines.pop()
            blank = frozenset(i for i, s in enumerate(lines, 1) if not s.strip() or s.lstrip().startswith("#"))
            self.cache[relpath] = (lines, blank, False)
        return self.cache[relpath]

    def first_bad(self, relpath: str, executed: frozenset[int]) -> str | None:
        """Why `executed` cannot come from this text (first offending line), or None."""
        if not executed:
            return None
        lines, blank, confirmed = self._info(relpath)
        if max(executed) > len(lines):
            line = min(n for n in executed if n > len(lines))
            return f"line {line} executed but the file has {len(lines)} lines"
        if not confirmed and not blank.isdisjoint(executed):
            code = _code_rows(lines)
            blank = blank if code is None else blank - code
            self.cache[relpath] = (lines, blank, True)
        hits = blank.intersection(executed)
        return f"line {min(hits)} executed but it is blank or a comment" if hits else None


# -- reading data files --------------------------------------------------------------------------

#: Recent coverage opens foreign data read-only; older releases (7.4) write their schema into any
#: SQLite file they are given, so with those we read a scratch copy instead.
_READ_ONLY = "read_only" in inspect.signature(CoverageData).parameters


def _open(path: Path, stack: ExitStack) -> CoverageData:
    if _READ_ONLY:
        data = CoverageData(basename=str(path), read_only=True)
    else:
        copy = Path(stack.enter_context(tempfile.TemporaryDirectory())) / "data"
        shutil.copyfile(path, copy)
        data = CoverageData(basename=str(copy))
    data.read()
    if hasattr(data, "keep_db_open"):  # one connection for all queries, not one per query
        stack.enter_context(data.keep_db_open())
    return data


_POSITIVE = (0).__lt__  # line 0 and negative arc ends are not source lines


def _fetch(data: CoverageData, names: Iterable[str], has_arcs: bool) -> dict[str, _Executed]:
    """Measured name -> (positive executed lines, arcs: empty for line-only data)."""
    out: dict[str, _Executed] = {}
    for name in names:
        if has_arcs:
            arcs = frozenset(data.arcs(name) or ())
            out[name] = (frozenset(filter(_POSITIVE, set(chain.from_iterable(arcs)))), arcs)
        else:
            out[name] = (frozenset(filter(_POSITIVE, data.lines(name) or ())), frozenset())
    return out


def _shown(path: Path, root: Path) -> str:
    try:
        return Path(abspath(path)).relative_to(abspath(root)).as_posix()
    except ValueError:
        return str(path)


@dataclass
class _Unmatched:
    data_file: str
    count: int = 0
    example: str = ""
    ambiguous: int = 0
    ambiguous_example: str = ""


class _Loader:
    """Accumulates hosts, per-host file data and problems over the data files."""

    def __init__(self, root: Path, sources: Mapping[str, str], path_map: Mapping[str, Sequence[str]]) -> None:
        self.root = root
        self.matcher = _Matcher(sources, path_map)
        self.check = _SourceCheck(sources)
        self.problems: list[CoverageProblem] = []
        self.data: dict[str, dict[str, _Executed]] = {}  # host -> relpath -> lines, arcs
        self.arcs_by_file: dict[str, tuple[str, bool]] = {}  # shown data file -> host, has_arcs
        self.refused: set[tuple[str, str]] = set()
        self.unmatched: dict[str, _Unmatched] = {}

    def problem(self, kind: str, shown: str, host: str | None, message: str, path: str | None = None) -> None:
        """A non-fatal problem."""
        self.problems.append(CoverageProblem(kind, shown, host, path, f"{shown}: {message}", False))

    def ignore(self, kind: str, shown: str, host: str, why: str) -> None:
        """A fatal problem: the data file is unusable and its host is left out."""
        self.problems.append(CoverageProblem(kind, shown, host, None, f"{shown}: {why}; host {host} ignored", True))

    def load(self, path: Path) -> None:
        host, shown = host_name(path), _shown(path, self.root)
        try:
            size = path.stat().st_size if path.is_file() else None
            state = "is not a file" if path.exists() else "does not exist"
        except (OSError, ValueError) as exc:  # e.g. a name too long, a NUL byte
            size, state = None, f"cannot be examined ({exc})"
        if size is None:
            return self.ignore("missing", shown, host, f"coverage data file {state}")
        if size == 0:
            return self.ignore("empty", shown, host, "coverage data file is empty (0 bytes)")
        try:
            with ExitStack() as stack:
                data = _open(path, stack)
                measured, has_arcs = sorted(data.measured_files()), data.has_arcs()
                targets = {name: self.matcher.match(name) for name in measured}
                fetched = _fetch(data, [n for n, t in targets.items() if isinstance(t, str)], has_arcs)
        except Exception as exc:  # coverage, sqlite3 and numbits raise many kinds on a damaged file
            reason = " ".join(str(exc).split()) or type(exc).__name__
            if "no such table" in reason or "wrong schema" in reason:  # SQLite, but not coverage's
                return self.ignore("not-coverage", shown, host, f"not a coverage.py data file ({reason})")
            return self.ignore("corrupt", shown, host, f"cannot read coverage data ({reason})")
        if not measured:
            return self.ignore("empty", shown, host, "coverage data records no files")
        self.arcs_by_file[shown] = (host, has_arcs)
        files = self.data.setdefault(host, {})
        for name, target in targets.items():
            if not isinstance(target, str):
                self._note_unmatched(host, shown, name, target)
                continue
            lines, arcs = fetched[name]
            why = self.check.first_bad(target, lines)
            if why:
                if (host, target) not in self.refused:
                    msg = f"host {host} ran a different version of {target}: {why}; its data for the file ignored"
                    self.problem("mismatch", shown, host, msg, target)
                self.refused.add((host, target))
                continue
            if target in files:  # parallel-mode files, or two releases of one file on the host
                lines, arcs = files[target][0] | lines, files[target][1] | arcs
            files[target] = (lines, arcs)

    def _note_unmatched(self, host: str, shown: str, name: str, target: tuple[str, ...] | None) -> None:
        note = self.unmatched.setdefault(host, _Unmatched(shown))
        if target is None:
            note.count += 1
            note.example = note.example or name
        else:
            note.ambiguous += 1
            if not note.ambiguous_example:
                more = " or ..." if len(target) > 2 else ""
                note.ambiguous_example = f"{name} could be {' or '.join(target[:2])}{more}"

    def finish(self) -> CoverageJoin:
        for host, note in self.unmatched.items():
            parts = []
            if note.count:
                parts.append(f"{note.count} measured file(s) match no analysed file (e.g. {note.example})")
            if note.ambiguous:
                parts.append(f"{note.ambiguous} ambiguous (e.g. {note.ambiguous_example})")
            joined = bool(self.data.get(host)) or any(h == host for h, _ in self.refused)
            if joined:
                self.problem("unmatched", note.data_file, host, f"host {host}: {'; '.join(parts)}; not joined")
            else:  # counted as a host that ran nothing, it would make live code look dormant or drifted
                self.ignore("unmatched", note.data_file, host, f"host {host}: {'; '.join(parts)}; "
                            "nothing from this host joined, check [tool.knightwatch.paths]")
                self.data.pop(host, None)
                self.arcs_by_file = {k: v for k, v in self.arcs_by_file.items() if v[0] != host}
        modes = self.arcs_by_file.values()
        has_arcs = bool(modes) and all(arcs for _, arcs in modes)
        if any(arcs for _, arcs in modes) and not has_arcs:
            line_only = [shown for shown, (_, arcs) in self.arcs_by_file.items() if not arcs]
            hosts = sorted({h for h, arcs in modes if not arcs})
            msg = (
                f"line-only data (hosts {', '.join(hosts)}) mixed with branch data from other hosts; "
                "lines of every host used, branch data ignored"
            )
            self.problem("mixed", line_only[0], None, msg)
        runs: dict[str, dict[str, FileRun]] = {}
        for host, files in sorted(self.data.items()):
            for rel, (lines, arcs) in files.items():
                if (host, rel) not in self.refused:
                    runs.setdefault(rel, {})[host] = FileRun(lines, arcs if has_arcs else None)
        return CoverageJoin(sorted(self.data), self.problems, has_arcs, runs, frozenset(self.refused))


def load_coverage(
    data_files: Sequence[Path],
    root: Path,
    sources: Mapping[str, str],
    path_map: Mapping[str, Sequence[str]] = {},
) -> CoverageJoin:
    """Read each host's data file (through coverage's API only) and join it to `sources`.

    `sources` maps analysed relative POSIX paths to their text; `path_map` maps a canonical directory
    (relative to root) to aliases (absolute or glob prefixes, like coverage's `[paths]`). Problems with
    the data are reported in `CoverageJoin.problems`, never raised.
    """
    loader = _Loader(root, sources, path_map)
    for path in data_files:
        loader.load(Path(path))
    return loader.finish()
