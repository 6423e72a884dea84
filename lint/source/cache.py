"""On-disk cache: per-file summaries by content hash, and the last run's result by its inputs.

Entries are `marshal` payloads behind a header holding a magic string, the key and a digest of
the payload, so a corrupt, truncated or foreign entry is detected and ignored, never trusted.
Every key includes a digest of knightwatch's own source and the Python version, so an edited or
upgraded tool never reads what another build wrote; summaries live in a directory per build, and
`prune` deletes those of builds no longer in use.
"""

from __future__ import annotations

import hashlib
import importlib.util
import marshal
import os
import re
import shutil
import sys
import tempfile
from dataclasses import fields
from functools import lru_cache
from pathlib import Path

from knightwatch import __version__
from knightwatch.finding import Finding, Severity, Suppression, TraceStep
from knightwatch.result import RunResult
from knightwatch.rule import Rule
from knightwatch.source.summary import SUMMARY_VERSION

MAGIC = b"KWC2"
HEAD = len(MAGIC) + 40 + 32  # magic, hex key, hex digest of the payload
FINDING_FIELDS = tuple(f.name for f in fields(Finding))
#: summary directories of other builds kept besides this one's (two installs may share a project's cache)
OTHER_BUILDS_KEPT = 2
_BUILD_DIR = re.compile(r"[0-9a-f]{16}|[0-9a-f]{2}")  # a build's, or one of the layout without builds


@lru_cache(maxsize=None)
def tool_digest() -> bytes:
    """Version, Python version, build (compiled or pure Python) and the bytes of every knightwatch source
    file, hashed. The two builds give the same results but pickle the stored stage differently."""
    compiled = not importlib.util.find_spec("knightwatch.graphs.index").origin.endswith(".py")
    h = hashlib.blake2b(f"{__version__}/{SUMMARY_VERSION}/{sys.version_info[:2]}/{compiled}".encode(), digest_size=20)
    tops = {*map(Path, importlib.util.find_spec("knightwatch").submodule_search_locations),
            *map(Path, importlib.util.find_spec("knightwatch.rules").submodule_search_locations)}
    for top in sorted(tops):
        for path in sorted(top.rglob("*.py")):
            h.update(path.relative_to(top).as_posix().encode() + b"\0" + path.read_bytes())
    return h.digest()


def build_name() -> str:
    """The name of this build's summary directory."""
    return tool_digest().hex()[:16]


def content_key(data: bytes, module: str, is_package: bool) -> str:
    h = hashlib.blake2b(data, digest_size=20)
    h.update(b"\0" + module.encode() + (b"\0p" if is_package else b"\0m") + tool_digest())
    return h.hexdigest()


def _finding_data(f: Finding) -> tuple:
    values = {name: getattr(f, name) for name in FINDING_FIELDS}
    values["severity"] = int(f.severity)
    values["trace"] = tuple((s.path, s.line, s.column, s.message) for s in f.trace)
    values["suppression"] = (f.suppression.kind, f.suppression.justification) if f.suppression else None
    return tuple(values.values())


def _finding(data: tuple) -> Finding:
    values = dict(zip(FINDING_FIELDS, data, strict=True))
    values["severity"] = Severity(values["severity"])
    values["trace"] = tuple(TraceStep(*s) for s in values["trace"])
    values["suppression"] = Suppression(*values["suppression"]) if values["suppression"] else None
    return Finding(**values)


class Cache:
    """A cache directory (None: no cache); reads return None for anything missing or not trustworthy."""

    #: whether the whole-program stage is kept for the next run (`knightwatch.graphs.reuse`)
    keeps_stages = True

    def __init__(self, directory: Path | None):
        self.directory = directory
        self.hits = 0
        self.misses = 0

    def _file(self, key: str) -> Path:
        assert self.directory is not None
        return self.directory / "summaries" / build_name() / key[:2] / key

    def prune(self) -> None:
        """Mark this build's summaries as just used, and delete those of all but the OTHER_BUILDS_KEPT
        most recently used other builds: no build reads another's, so they would only fill the disk."""
        if self.directory is None:
            return
        top = self.directory / "summaries"
        mine = top / build_name()
        try:
            mine.mkdir(parents=True, exist_ok=True)
            os.utime(mine)
            others = [p for p in top.iterdir() if p != mine and _BUILD_DIR.fullmatch(p.name) and p.is_dir()]
        except OSError:
            return  # a cache that cannot be kept tidy only costs disk
        builds = sorted((p for p in others if len(p.name) == 16), key=_last_used, reverse=True)
        for stale in builds[OTHER_BUILDS_KEPT:] + [p for p in others if len(p.name) == 2]:
            shutil.rmtree(stale, ignore_errors=True)

    def _read(self, path: Path, key: str):
        try:
            raw = path.read_bytes()
        except OSError:
            return None
        if len(raw) < HEAD or raw[:4] != MAGIC or raw[4:44] != key.encode() \
                or hashlib.blake2b(raw[HEAD:], digest_size=16).hexdigest().encode() != raw[44:HEAD]:
            return None
        try:
            return marshal.loads(raw[HEAD:])
        except (ValueError, EOFError, TypeError):
            return None

    def _write(self, path: Path, key: str, payload: bytes) -> None:
        blob = MAGIC + key.encode() + hashlib.blake2b(payload, digest_size=16).hexdigest().encode() + payload
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as fh:
                fh.write(blob)
            os.replace(tmp, path)
        except OSError:
            pass  # a cache that cannot be written only costs time

    def get(self, key: str) -> dict | None:
        """The summary record stored under KEY."""
        value = self._read(self._file(key), key) if self.directory is not None else None
        if not isinstance(value, dict) or value.get("v") != SUMMARY_VERSION:
            self.misses += 1
            return None
        self.hits += 1
        return value

    def put(self, key: str, value: dict) -> None:
        if self.directory is not None:
            self.put_payload(key, marshal.dumps(value))

    def put_payload(self, key: str, payload: bytes) -> None:
        """Store a summary record already marshalled."""
        if self.directory is not None:
            self._write(self._file(key), key, payload)

    def get_lineage(self, key: str):
        """What flag lineage stored under KEY (one commit's flag meanings), None if missing."""
        if self.directory is None:
            return None
        return self._read(self.directory / "summaries" / build_name() / "lineage" / key, key)

    def put_lineage(self, key: str, value) -> None:
        """Store one commit's flag meanings; kept with this build's summaries, pruned with them."""
        if self.directory is not None:
            self._write(self.directory / "summaries" / build_name() / "lineage" / key, key, marshal.dumps(value))

    def get_run(self, slot: str, stamp: str, rules: list[type[Rule]], root: Path) -> RunResult | None:
        """The result stored in SLOT if it was made from exactly the inputs STAMP digests."""
        if self.directory is None:
            return None
        value = self._read(self.directory / "runs" / slot, stamp)
        by_id = {r.id: r for r in rules}
        try:
            findings, ran, notes, files, hosts, warnings = value
            return RunResult(root=root, findings=[_finding(f) for f in findings], rules=[by_id[r] for r in ran],
                             notes=list(notes), files_analysed=files, hosts=list(hosts), warnings=list(warnings))
        except (TypeError, ValueError, KeyError, AttributeError):  # not a run of these rules
            return None

    def put_run(self, slot: str, stamp: str, result: RunResult) -> None:
        if self.directory is None:
            return
        try:
            payload = marshal.dumps(([_finding_data(f) for f in result.findings], [r.id for r in result.rules],
                                     list(result.notes), result.files_analysed, list(result.hosts),
                                     list(result.warnings)))
        except ValueError:  # a finding property marshal cannot store: do not cache this run
            return
        self._write(self.directory / "runs" / slot, stamp, payload)


def _last_used(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def cache_dir(root: Path, option: str | None, disabled: bool) -> Path | None:
    """Where the cache lives: --cache-dir, then $KNIGHTWATCH_CACHE_DIR, then ROOT/.knightwatch_cache."""
    if disabled:
        return None
    chosen = option or os.environ.get("KNIGHTWATCH_CACHE_DIR")
    directory = Path(chosen) if chosen else root / ".knightwatch_cache"
    if not chosen:
        try:
            directory.mkdir(exist_ok=True)
            gitignore = directory / ".gitignore"
            if not gitignore.exists():
                gitignore.write_text("# created by knightwatch; safe to delete\n*\n")
        except OSError:
            return None
    return directory
