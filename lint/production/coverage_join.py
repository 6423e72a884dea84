"""Join production coverage.py data (one data file per host) to the analysed files.

Each measured path (absolute, from another machine) is mapped to an analysed file through the
explicit `path_map` first, then by the longest matching path suffix. When a host's revision is
known (lint/production/revisions.py) and the project is a git repository, its lines and arcs are carried from
that revision's text onto the working tree (lint/production/linemap.py); lines added or changed since are
*unknown* for that host. Otherwise data that cannot belong to the analysed text (lines past the end,
or on blank/comment lines) is refused for that host, or, when every host's data for a file is
refused, the file's data is unknown: the tree moved on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import inspect
import io
import json
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
from knightwatch.production.linemap import LineMap, line_map, split_lines
from knightwatch.production.revisions import Git, HostRevision, configured, infer, recorded_refs

Arc = tuple[int, int]
_Executed = tuple[frozenset[int], frozenset[Arc]]  # lines, arcs


@dataclass(frozen=True)
class FileRun:
    """What one host executed in one analysed file (arcs are coverage's, entry/exit ones negative)."""

    lines: frozenset[int]
    arcs: frozenset[Arc] | None  # None for line-only data
    unknown: frozenset[int] = frozenset()  # lines added or changed since the host's revision: no data


@dataclass(frozen=True)
class CoverageProblem:
    """Something wrong with a data file; `fatal` means the results cannot be trusted."""

    kind: str  # missing, corrupt, not-coverage, mixed, mismatch, unmatched, empty, unknown, revision
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
    revisions: dict[str, HostRevision] = field(default_factory=dict)  # host -> the revision it ran
    diffs: list[RevisionDiff] = field(default_factory=list)  # hosts that ran another revision than most
    _unknown_files: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)  # relpath -> hosts
    _groups: dict[str, list[tuple[FileRun, frozenset[str]]]] = field(default_factory=dict, repr=False)
    #: host -> the day (UTC) its newest data file was written: coverage.py records no run dates, so
    #: the file's modification time is the one timestamp the data has (lint/production/calendar.py windows)
    written: dict[str, dt.date] = field(default_factory=dict)

    def run(self, host: str, relpath: str) -> FileRun | None:
        """None when the host never imported the file (or its data was refused: it ran a different version)."""
        return self._runs.get(relpath, {}).get(host)

    def groups(self, relpath: str) -> list[tuple[FileRun, frozenset[str]]]:
        """The distinct runs of the file, each with the hosts whose data for it is identical."""
        if relpath not in self._groups:
            by_run: dict[int, tuple[FileRun, set[str]]] = {}
            for host, run in self._runs.get(relpath, {}).items():
                by_run.setdefault(id(run), (run, set()))[1].add(host)
            self._groups[relpath] = [(run, frozenset(hosts)) for run, hosts in by_run.values()]
        return self._groups[relpath]

    def unknown_hosts(self, relpath: str, start: int, end: int) -> frozenset[str]:
        """Hosts with no data for some line in [START, END]: the file or those lines changed since they ran it."""
        out = set(self._unknown_files.get(relpath, ()))
        for run, hosts in self.groups(relpath):
            if run.unknown and any(start <= n <= end for n in run.unknown):
                out |= hosts
        return frozenset(out)

    def executed(self, relpath: str) -> dict[str, frozenset[int]]:
        """Host -> executed lines, for the hosts that imported the file."""
        return {host: run.lines for host, run in self._runs.get(relpath, {}).items()}

    def hosts_running(self, relpath: str, lines: Iterable[int]) -> frozenset[str]:
        """The hosts that executed any of `lines` of the file."""
        wanted = frozenset(lines)
        return frozenset(h for h, run in self._runs.get(relpath, {}).items() if not run.lines.isdisjoint(wanted))


@dataclass(frozen=True)
class RevisionDiff:
    """A host that ran another revision than most hosts, and where its executed code differs."""

    host: str
    revision: HostRevision
    reference: HostRevision  # the revision most hosts ran
    reference_hosts: int
    changed: dict[str, frozenset[int]]  # relpath -> working-tree lines that differ between the two
    gone: dict[str, int]  # relpath -> lines the host executed that the reference revision no longer has


_PARALLEL_SUFFIX = re.compile(r"\.pid\d+\.X\w+x(?:\.H\w+h)?$")


def host_name(data_file: Path) -> str:
    """`.coverage.<host>` or parallel-mode `.coverage.<host>.pid<n>.X<rand>x` -> host; else the file name.
    A SlipCover report's `.json` suffix is not part of the host's name."""
    name = data_file.name.removesuffix(".json") or data_file.name
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
    """Finds executed lines that cannot be code in a text: a cheap scan, tokenize to confirm.

    Texts are the analysed files (keyed by relpath) or older ones read from git (keyed by blob id).
    """

    def __init__(self, sources: Mapping[str, str]) -> None:
        self.sources = sources
        self.cache: dict[str, tuple[list[str], frozenset[int], bool]] = {}  # lines, not-code, confirmed

    def _info(self, key: str, text: str | None) -> tuple[list[str], frozenset[int], bool]:
        if key not in self.cache:
            lines = split_lines(self.sources[key] if text is None else text)
            blank = frozenset(i for i, s in enumerate(lines, 1) if not s.strip() or s.lstrip().startswith("#"))
            self.cache[key] = (lines, blank, False)
        return self.cache[key]

    def first_bad(self, key: str, executed: frozenset[int], text: str | None = None) -> str | None:
        """Why `executed` cannot come from this text (first offending line), or None."""
        if not executed:
            return None
        lines, blank, confirmed = self._info(key, text)
        if max(executed) > len(lines):
            line = min(n for n in executed if n > len(lines))
            return f"line {line} executed but the file has {len(lines)} lines"
        if not confirmed and not blank.isdisjoint(executed):
            code = _code_rows(lines)
            blank = blank if code is None else blank - code
            self.cache[key] = (lines, blank, True)
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


class _NotCoverage(Exception):
    """A readable file that is neither coverage.py's data nor a SlipCover report."""


def _slipcover(path: Path) -> dict[str, frozenset[int]]:
    """Measured name -> executed lines of a SlipCover JSON report (`--json`). Its branch pairs are
    only the branches, not every arc, so a SlipCover host counts as line data."""
    try:
        doc = json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"invalid JSON: {exc}") from None
    files = doc.get("files") if isinstance(doc, dict) else None
    meta = doc.get("meta") if isinstance(doc, dict) else None
    if not isinstance(meta, dict) or meta.get("software") != "slipcover" or not isinstance(files, dict):
        raise _NotCoverage("JSON, but not a SlipCover report (no meta.software 'slipcover' and files)")
    out = {}
    for name, entry in files.items():
        lines = entry.get("executed_lines") if isinstance(entry, dict) else None
        if not isinstance(lines, list) or not all(isinstance(n, int) and not isinstance(n, bool) for n in lines):
            raise ValueError(f"SlipCover report: {name}: executed_lines is not a list of line numbers")
        out[name] = frozenset(filter(_POSITIVE, lines))
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


#: how to give knightwatch the revisions hosts ran, said wherever their absence costs a result
HINT = ("record each host's revision with `coverage run --context=rev:$(git rev-parse HEAD)` "
        "(or name it in [tool.knightwatch.hosts]) and analyse a git checkout, so its data is carried "
        "onto today's text")


@dataclass
class _Read:
    """One data file's content, read once however many hosts' files are identical to it."""

    has_arcs: bool
    targets: dict[str, str | tuple[str, ...] | None]  # measured name -> analysed relpath
    fetched: dict[str, _Executed]  # measured name -> lines, arcs (matched names only)
    refs: list[str]  # revisions named by `rev:` static contexts


@dataclass
class _Joined:
    """One data file's content joined to the working tree at one revision."""

    files: dict[str, tuple[frozenset[int], frozenset[Arc], frozenset[int]]]  # relpath -> lines, arcs, unknown
    raw: dict[str, frozenset[int]]  # relpath -> executed lines at the revision
    refused: list[tuple[str, str]]  # relpath, why
    unmatched: list[tuple[str, tuple[str, ...] | None]]  # measured name, candidates


def _digest(path: Path) -> str:
    h = hashlib.blake2b(digest_size=16)
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _names(hosts: Sequence[str]) -> str:
    shown = ", ".join(hosts[:4])
    return f"host {shown}" if len(hosts) == 1 else f"{len(hosts)} hosts ({shown}{', ...' if len(hosts) > 4 else ''})"


class _Loader:
    """Accumulates hosts, per-host file data and problems over the data files."""

    def __init__(self, root: Path, sources: Mapping[str, str], path_map: Mapping[str, Sequence[str]],
                 hosts: Mapping[str, str], where: str) -> None:
        self.root = root
        self.sources = sources
        self.path_map = path_map
        self.matcher = _Matcher(sources, path_map)
        self.check = _SourceCheck(sources)
        self.problems: list[CoverageProblem] = []
        self.data: dict[str, dict[str, tuple[frozenset[int], frozenset[Arc], frozenset[int]]]] = {}
        self.raw: dict[str, dict[str, frozenset[int]]] = {}  # host -> relpath -> lines at its revision
        self.arcs_by_file: dict[str, tuple[str, bool]] = {}  # shown data file -> host, has_arcs
        self.refusals: dict[str, dict[str, tuple[str, str]]] = {}  # relpath -> host -> shown, why
        self.unmatched: dict[str, _Unmatched] = {}
        self.reads: dict[str, _Read] = {}  # digest -> content
        self.joined: dict[tuple[str, str | None], _Joined] = {}  # digest, revision -> on the working tree
        self.git = Git.open(root)
        self.configured = configured(hosts, self.git, where)
        self.revisions: dict[str, HostRevision] = {}
        self.shown: dict[str, str] = {}  # host -> its (first) data file
        self.inferred: dict[str, str | None] = {}  # digest -> sha
        self.maps: dict[tuple[str, str], LineMap | None | bool] = {}  # sha, relpath -> to the working tree
        self.carried: dict[tuple, tuple[frozenset[int], frozenset[Arc], frozenset[int]]] = {}
        self.rename_matchers: dict[str, _Matcher] = {}
        self.mtimes: dict[str, float] = {}  # host -> newest modification time of its data files

    def problem(self, kind: str, shown: str, host: str | None, message: str, path: str | None = None) -> None:
        """A non-fatal problem."""
        self.problems.append(CoverageProblem(kind, shown, host, path, f"{shown}: {message}", False))

    def ignore(self, kind: str, shown: str, host: str, why: str) -> None:
        """A fatal problem: the data file is unusable and its host is left out."""
        self.problems.append(CoverageProblem(kind, shown, host, None, f"{shown}: {why}; host {host} ignored", True))

    def _read(self, path: Path, digest: str) -> _Read:
        if digest not in self.reads:
            with path.open("rb") as fh:
                head = fh.read(64).lstrip()
            if head.startswith(b"{"):
                executed = _slipcover(path)
                targets = {name: self.matcher.match(name) for name in sorted(executed)}
                fetched = {name: (lines, frozenset()) for name, lines in executed.items()}
                self.reads[digest] = _Read(False, targets, fetched, [])
                return self.reads[digest]
            with ExitStack() as stack:
                data = _open(path, stack)
                measured, has_arcs = sorted(data.measured_files()), data.has_arcs()
                targets = {name: self.matcher.match(name) for name in measured}
                # with git, an unmatched name may be a file renamed since the host's revision
                wanted = [n for n, t in targets.items() if isinstance(t, str) or (self.git and t is None)]
                fetched = _fetch(data, wanted, has_arcs)
                refs = recorded_refs(data.measured_contexts())
            self.reads[digest] = _Read(has_arcs, targets, fetched, refs)
        return self.reads[digest]

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
            digest = _digest(path)
            read = self._read(path, digest)
        except _NotCoverage as exc:
            return self.ignore("not-coverage", shown, host, f"not a coverage.py data file or SlipCover report ({exc})")
        except Exception as exc:  # coverage, sqlite3 and numbits raise many kinds on a damaged file
            reason = " ".join(str(exc).split()) or type(exc).__name__
            if "no such table" in reason or "wrong schema" in reason:  # SQLite, but not coverage's
                return self.ignore("not-coverage", shown, host, f"not a coverage.py data file ({reason})")
            return self.ignore("corrupt", shown, host, f"cannot read coverage data ({reason})")
        if not read.targets:
            return self.ignore("empty", shown, host, "coverage data records no files")
        self.arcs_by_file[shown] = (host, read.has_arcs)
        self.mtimes[host] = max(self.mtimes.get(host, 0.0), path.stat().st_mtime)
        self.shown.setdefault(host, shown)
        rev = self.revisions[host] = self._revision(host, shown, digest, read)
        joined = self._join(digest, read, rev)
        for target, why in joined.refused:
            self.refusals.setdefault(target, {}).setdefault(host, (shown, why))
        for name, target in joined.unmatched:
            self._note_unmatched(host, shown, name, target)
        if host not in self.data:  # shared with every host whose data is identical: never mutated
            self.data[host], self.raw[host] = joined.files, joined.raw
            return
        files, raw = dict(self.data[host]), dict(self.raw[host])
        for target, carried in joined.files.items():  # parallel-mode files, or two releases on the host
            if target in files:
                old = files[target]
                carried = (old[0] | carried[0], old[1] | carried[1], old[2] | carried[2])
                raw[target] = raw[target] | joined.raw[target]
            else:
                raw[target] = joined.raw[target]
            files[target] = carried
        self.data[host], self.raw[host] = files, raw

    def _join(self, digest: str, read: _Read, rev: HostRevision) -> _Joined:
        """A data file's content on the working tree, once per distinct content and revision."""
        key = (digest, rev.sha)
        if key in self.joined:
            return self.joined[key]
        joined = self.joined[key] = _Joined({}, {}, [], [])
        for name, target in read.targets.items():
            if not isinstance(target, str) and rev.sha:
                target, lines, arcs = self._renamed(rev.sha, name, read.fetched.get(name)) or (target, None, None)
            else:
                lines, arcs = read.fetched[name] if isinstance(target, str) else (None, None)
            if not isinstance(target, str):
                joined.unmatched.append((name, target))
                continue
            carried, why = self._carry(rev, target, lines, arcs)
            if why:
                joined.refused.append((target, why))
                continue
            joined.raw[target] = lines
            joined.files[target] = carried
        return joined

    def _revision(self, host: str, shown: str, digest: str, read: _Read) -> HostRevision:
        """Configured > recorded in the data > inferred from git history > unknown."""
        given = self.configured(host)
        if given:
            return given
        if len(read.refs) > 1:
            self.problem("revision", shown, host, f"host {host} records several revisions "
                         f"({', '.join(read.refs)}); combine each revision's data separately")
        elif read.refs:
            ref = read.refs[0]
            sha = self.git.resolve(ref) if self.git else None
            if self.git and sha is None:
                self.problem("revision", shown, host, f"host {host} recorded revision {ref!r}, which names "
                             "no commit of this repository")
            return HostRevision(sha, "recorded", ref)
        if self.git:
            if digest not in self.inferred:
                executed = {t: read.fetched[n][0] for n, t in read.targets.items() if isinstance(t, str)}
                self.inferred[digest] = infer(self.git, executed,
                                              lambda key, text, lines: not self.check.first_bad(key, lines, text))
            if self.inferred[digest]:
                return HostRevision(self.inferred[digest], "inferred")
        return HostRevision(None, "unknown")

    def _renamed(self, sha: str, name: str, fetched: _Executed | None):
        """(working-tree relpath, lines, arcs) of a measured file git saw renamed since SHA, or None."""
        if sha not in self.rename_matchers:
            self.rename_matchers[sha] = _Matcher(self.git.renames(sha) if self.git else {}, self.path_map)
        old = self.rename_matchers[sha].match(name)
        if not isinstance(old, str) or fetched is None:
            return None
        return self.git.renames(sha)[old], *fetched

    def _map(self, sha: str, rel: str) -> LineMap | None | bool:
        """How REL's lines moved from SHA to the working tree: True if unchanged, None if not at SHA."""
        key = (sha, rel)
        if key not in self.maps:
            old = self.git.file_at(sha, self.git.old_name(sha, rel))
            self.maps[key] = None if old is None else True if old == self.sources[rel] else \
                line_map(old, self.sources[rel])
        return self.maps[key]

    def _carry(self, rev: HostRevision, rel: str, lines: frozenset[int], arcs: frozenset[Arc]):
        """The host's data on the working tree (lines, arcs, unknown lines), or why it cannot belong there."""
        lm = self._map(rev.sha, rel) if rev.sha and self.git else None
        if lm is None:
            why = self.check.first_bad(rel, lines)
            return (lines, arcs, frozenset()), why
        if lm is True:
            return (lines, arcs, frozenset()), None
        key = (id(lines), id(arcs), rev.sha, rel)
        if key not in self.carried:
            self.carried[key] = (lm.lines(lines), lm.arcs(arcs), lm.unknown)
        return self.carried[key], None

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

    def _note_refusals(self) -> dict[str, frozenset[str]]:
        """Note the refused data: a minority's are mismatches; a file every host's data refuses is
        unknown (the tree moved on), with one note. The unknown files, each with its hosts."""
        unknown = {}
        for rel, by_host in sorted(self.refusals.items()):
            if any(rel in files for files in self.data.values()):
                for host, (shown, why) in sorted(by_host.items()):
                    self.problem("mismatch", shown, host, f"host {host} ran a different version of {rel}: {why}; "
                                 f"its data for the file ignored ({HINT})", rel)
                continue
            unknown[rel] = frozenset(by_host)
            hosts = sorted(by_host)
            shown, why = by_host[hosts[0]]
            self.problem("unknown", shown, None,
                         f"{rel} changed since every host that ran it ({_names(hosts)}) recorded its data "
                         f"({why}): the file's production coverage is unknown; {HINT}", rel)
        return unknown

    def finish(self) -> CoverageJoin:
        for host, note in self.unmatched.items():
            parts = []
            if note.count:
                parts.append(f"{note.count} measured file(s) match no analysed file (e.g. {note.example})")
            if note.ambiguous:
                parts.append(f"{note.ambiguous} ambiguous (e.g. {note.ambiguous_example})")
            joined = bool(self.data.get(host)) or any(host in by_host for by_host in self.refusals.values())
            if joined:
                self.problem("unmatched", note.data_file, host, f"host {host}: {'; '.join(parts)}; not joined")
            else:  # counted as a host that ran nothing, it would make live code look dormant or drifted
                self.ignore("unmatched", note.data_file, host, f"host {host}: {'; '.join(parts)}; "
                            "nothing from this host joined, check [tool.knightwatch.paths]")
                self.data.pop(host, None)
                self.revisions.pop(host, None)
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
        unknown = self._note_refusals()
        runs: dict[str, dict[str, FileRun]] = {}
        interned: dict[tuple[int, int, int], FileRun] = {}  # identical data on many hosts: one FileRun
        shared: dict[int, list[tuple[str, FileRun]]] = {}  # id(files) -> its runs, once per distinct data
        for host, files in sorted(self.data.items()):
            items = shared.get(id(files))
            if items is None:
                items = shared[id(files)] = []
                for rel, carried in files.items():
                    key = (id(carried[0]), id(carried[1]), id(carried[2]))
                    if key not in interned:
                        interned[key] = FileRun(carried[0], carried[1] if has_arcs else None, carried[2])
                    items.append((rel, interned[key]))
            for rel, run in items:
                runs.setdefault(rel, {})[host] = run
        unknown = self._new_since(unknown)
        notes = _RevisionReport(self)
        join = CoverageJoin(sorted(self.data), self.problems, has_arcs, runs,
                            dict(sorted(self.revisions.items())), notes.diffs(), unknown)
        join.written = {h: dt.datetime.fromtimestamp(t, dt.timezone.utc).date()
                        for h, t in sorted(self.mtimes.items()) if h in self.data}
        notes.note(join)
        if self.git:
            self.git.close()
        return join

    def _new_since(self, unknown: dict[str, frozenset[str]]) -> dict[str, frozenset[str]]:
        """Add, for each host whose revision is known, the analysed files that did not exist then."""
        if not self.git:
            return unknown
        by_sha: dict[str, list[str]] = {}
        for host, rev in self.revisions.items():
            if rev.sha and host in self.data:
                by_sha.setdefault(rev.sha, []).append(host)
        out = {rel: set(hosts) for rel, hosts in unknown.items()}
        for sha, hosts in by_sha.items():
            tree = self.git.tree(sha)
            for rel in self.sources:
                if rel not in tree and self.git.old_name(sha, rel) not in tree:
                    out.setdefault(rel, set()).update(hosts)
        return {rel: frozenset(hosts) for rel, hosts in out.items()}


class _RevisionReport:
    """How each host's revision was established (notes), and the hosts that ran another revision."""

    def __init__(self, loader: _Loader) -> None:
        self.loader = loader
        self.groups: dict[tuple[str, str], list[str]] = {}  # (how, sha or ref) -> hosts
        for host, rev in sorted(loader.revisions.items()):
            self.groups.setdefault((rev.how, rev.sha or rev.ref), []).append(host)

    def note(self, join: CoverageJoin) -> None:
        loader = self.loader
        if not loader.git and all(how == "unknown" for how, _ in self.groups):
            return  # nothing to say beyond the per-file notes
        for (how, label), hosts in sorted(self.groups.items()):
            rev = loader.revisions[hosts[0]]
            if how == "unknown":
                msg = (f"{_names(hosts)}: revision unknown (no recent commit is consistent with the data, or its "
                       f"files are not committed): checked against the working tree; {HINT}")
            else:
                msg = f"{_names(hosts)}: revision {rev.short} ({how}{' as ' + repr(rev.ref) if rev.ref else ''})"
            runs = [join.run(hosts[0], rel) for rel in loader.data.get(hosts[0], {})]
            lines = sum(len(r.unknown) for r in runs if r)
            files = sum(1 for r in runs if r and r.unknown)
            if lines:
                msg += (f"; {lines} line(s) in {files} file(s) added or changed since have no data from "
                        f"{'it' if len(hosts) == 1 else 'them'} (unknown: never dormant, never drift)")
            loader.problems.append(CoverageProblem("revision", loader.shown[hosts[0]], None, None, msg, False))

    def diffs(self) -> list[RevisionDiff]:
        """Each host not on the revision most hosts ran, with what differs in the code it executed."""
        known = {k: hosts for k, hosts in self.groups.items() if k[0] != "unknown"}
        labels = {label for _, label in known}
        if len(labels) < 2:
            return []
        count: dict[str, int] = {}
        for (_, label), hosts in known.items():
            count[label] = count.get(label, 0) + len(hosts)
        git = self.loader.git
        order = {sha: i for i, sha in enumerate(git.history())} if git else {}
        ref_label = min(labels, key=lambda lab: (-count[lab], order.get(lab, len(order)), lab))
        reference = next(self.loader.revisions[h[0]] for (_, lab), h in known.items() if lab == ref_label)
        out = []
        for (_, label), hosts in sorted(known.items()):
            if label == ref_label:
                continue
            for host in hosts:
                rev = self.loader.revisions[host]
                changed, gone = self._differences(host, rev, reference)
                out.append(RevisionDiff(host, rev, reference, count[ref_label], changed, gone))
        return out

    def _differences(self, host: str, rev: HostRevision, reference: HostRevision):
        loader, git = self.loader, self.loader.git
        changed: dict[str, frozenset[int]] = {}
        gone: dict[str, int] = {}
        if not (git and rev.sha and reference.sha):
            return changed, gone
        for rel, lines in sorted(loader.raw.get(host, {}).items()):
            if not lines:
                continue
            mine = git.file_at(rev.sha, git.old_name(rev.sha, rel))
            theirs = git.file_at(reference.sha, git.old_name(reference.sha, rel))
            if mine is None or theirs is None or mine == theirs:
                continue
            between = line_map(mine, theirs)
            lost = sum(1 for n in lines if n not in between.forward)
            to_tree = loader._map(reference.sha, rel)
            here = between.unknown if to_tree is True else to_tree.lines(between.unknown) if to_tree else frozenset()
            tree = split_lines(loader.sources[rel])
            here = frozenset(n for n in here if not tree[n - 1].lstrip().startswith("#"))  # a new comment is no change
            if lost or here:
                changed[rel], gone[rel] = here, lost
        return changed, gone


def load_coverage(
    data_files: Sequence[Path],
    root: Path,
    sources: Mapping[str, str],
    path_map: Mapping[str, Sequence[str]] = {},
    hosts: Mapping[str, str] = {},
    where: str = "configuration",
) -> CoverageJoin:
    """Read each host's data file (through coverage's API only) and join it to `sources`.

    `sources` maps analysed relative POSIX paths to their text; `path_map` maps a canonical directory
    (relative to root) to aliases (absolute or glob prefixes, like coverage's `[paths]`); `hosts`
    maps host names (and `default`) to the git revision they run. Problems with the data are
    reported in `CoverageJoin.problems`, never raised.
    """
    loader = _Loader(root, sources, path_map, hosts, where)
    for path in data_files:
        loader.load(Path(path))
    return loader.finish()
