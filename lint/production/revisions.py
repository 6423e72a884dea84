"""Which revision of the project each host ran, and the project's files at a revision (git CLI).

A host's revision comes from, in order: the configuration (`[tool.knightwatch.hosts]`), a static
context `rev:<ref>` the host recorded in its data (`coverage run --context=rev:<sha>`), inference
from git history (the newest recent commit whose text is consistent with everything the host
executed), else it is unknown.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Mapping

from knightwatch.errors import KnightwatchError
from knightwatch.production.gitcmd import SAFE, git

#: how many commits, newest first, inference looks back over
HISTORY_LIMIT = 200

#: `rev:<ref>` (or `rev=<ref>`) anywhere in a static context, e.g. `rev:1a2b3c` or `host=a;rev:1a2b3c`
_REV_CONTEXT = re.compile(r"(?:^|[;,|\s])rev[:=]([\w./@^~+-]+)")


@dataclass(frozen=True)
class HostRevision:
    """The commit a host ran (None when unknown), how that was established, and the ref as given."""

    sha: str | None
    how: str  # configured, recorded, inferred, unknown
    ref: str = ""

    @property
    def short(self) -> str:
        return self.sha[:10] if self.sha else (self.ref or "unknown")


def recorded_refs(contexts: Iterable[str]) -> list[str]:
    """The revisions named by `rev:<ref>` static contexts, sorted."""
    return sorted({m.group(1) for c in contexts for m in [_REV_CONTEXT.search(c)] if m})


def head_commit(root: Path) -> str:
    """The commit checked out around ROOT, or "" (no git, no repository, no commit)."""
    try:
        out = git(root, "rev-parse", "--verify", "--quiet", "HEAD", text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout.strip()


class Git:
    """Read-only access to the git repository holding the project root (None-safe: see `open`)."""

    def __init__(self, root: Path, top: Path, prefix: str) -> None:
        self.root, self.top, self.prefix = root, top, prefix
        self._blobs: dict[str, bytes | None] = {}
        self._texts: dict[str, str | None] = {}
        self._trees: dict[str, dict[str, str]] = {}
        self._renames: dict[str, dict[str, str]] = {}
        self._renamed_back: dict[str, dict[str, str]] = {}
        self._history: list[str] | None = None
        self._batch: subprocess.Popen | None = None

    @classmethod
    def open(cls, root: Path) -> Git | None:
        """The repository around ROOT, or None when there is none (or no git, or no commit)."""
        try:
            out = git(root, "rev-parse", "--show-toplevel", "--show-prefix", "--verify", "HEAD", text=True, timeout=30)
        except (OSError, subprocess.SubprocessError):
            return None
        parts = out.stdout.split("\n")
        if out.returncode != 0 or len(parts) < 3:
            return None
        return cls(root, Path(parts[0]), parts[1])

    def _git(self, *args: str) -> str:
        out = git(self.top, *args, text=True)
        if out.returncode != 0:
            raise KnightwatchError(f"git {' '.join(args)}: {out.stderr.strip().splitlines()[-1:] or out.returncode}")
        return out.stdout

    def resolve(self, ref: str) -> str | None:
        """The commit REF names, or None."""
        out = git(self.top, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}", text=True,
                  timeout=30)
        return out.stdout.strip() or None if out.returncode == 0 else None

    def history(self) -> list[str]:
        """Recent commits reachable from HEAD, newest first (bounded by HISTORY_LIMIT)."""
        if self._history is None:
            self._history = self._git("rev-list", f"--max-count={HISTORY_LIMIT}", "HEAD").split()
        return self._history

    def tree(self, sha: str) -> dict[str, str]:
        """Project-relative path -> blob id of the Python files at commit SHA."""
        if sha not in self._trees:
            out = self._git("ls-tree", "-r", "-z", "--full-tree", sha, "--", self.prefix or ".")
            files = {}
            for entry in out.split("\0"):
                meta, _, path = entry.partition("\t")
                if path.endswith(".py") and path.startswith(self.prefix):
                    files[path[len(self.prefix):]] = meta.split()[2]
            self._trees[sha] = files
        return self._trees[sha]

    def renames(self, sha: str) -> dict[str, str]:
        """Project-relative path at SHA -> its path in the working tree, for files renamed since."""
        if sha not in self._renames:
            out = self._git("diff", "-M", "--name-status", "-z", sha, "--", self.prefix or ".")
            fields, moved = out.split("\0"), {}
            i = 0
            while i < len(fields) and fields[i]:
                status = fields[i]
                if status[:1] in ("R", "C"):
                    old, new = fields[i + 1], fields[i + 2]
                    if status[0] == "R" and old.startswith(self.prefix) and new.startswith(self.prefix):
                        moved[old[len(self.prefix):]] = new[len(self.prefix):]
                    i += 3
                else:
                    i += 2
            self._renames[sha] = moved
        return self._renames[sha]

    def old_name(self, sha: str, relpath: str) -> str:
        """The name at SHA of the working-tree file RELPATH (itself unless git sees it renamed since)."""
        back = self._renamed_back.get(sha)
        if back is None:
            back = self._renamed_back[sha] = {new: old for old, new in self.renames(sha).items()}
        return back.get(relpath, relpath)

    def data(self, obj: str) -> bytes | None:
        """The bytes of a blob (`<blob id>` or `<commit>:<top-relative path>`), None if missing."""
        if obj not in self._blobs:
            if self._batch is None:
                self._batch = subprocess.Popen(["git", *SAFE, "-C", str(self.top), "cat-file", "--batch"],
                                               stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            self._batch.stdin.write(obj.encode() + b"\n")
            self._batch.stdin.flush()
            header = self._batch.stdout.readline().split()
            if len(header) != 3 or header[1] != b"blob":
                self._blobs[obj] = None
                if len(header) == 3:
                    self._batch.stdout.read(int(header[2]) + 1)
            else:
                self._blobs[obj] = self._batch.stdout.read(int(header[2]) + 1)[:-1]
        return self._blobs[obj]

    def text(self, obj: str) -> str | None:
        """The text of a blob (see `data`), None if missing."""
        if obj not in self._texts:
            data = self.data(obj)
            self._texts[obj] = None if data is None else data.decode("utf-8", "replace")
        return self._texts[obj]

    def file_at(self, sha: str, relpath: str) -> str | None:
        """The text of project-relative RELPATH at commit SHA."""
        return self.text(f"{sha}:{self.prefix}{relpath}")

    def close(self) -> None:
        if self._batch is not None:
            self._batch.stdin.close()
            self._batch.wait(timeout=30)
            self._batch = None


def configured(hosts: Mapping[str, str], git: Git | None, where: str) -> Callable[[str], HostRevision | None]:
    """Host -> its configured revision (`default` for every host not named), refs checked up front."""
    if hosts and git is None:
        raise KnightwatchError(f"{where}: [tool.knightwatch.hosts] names revisions, but the project is not "
                               "in a git repository with commits")
    shas = {}
    for host, ref in hosts.items():
        sha = git.resolve(ref) if git else None
        if sha is None:
            raise KnightwatchError(f"{where}: [tool.knightwatch.hosts] {host!r}: {ref!r} names no commit")
        shas[host] = HostRevision(sha, "configured", ref)

    def lookup(host: str) -> HostRevision | None:
        return shas.get(host) or shas.get("default")

    return lookup


def infer(git: Git, executed: Mapping[str, frozenset[int]],
          consistent: Callable[[str, str, frozenset[int]], bool]) -> str | None:
    """The newest recent commit whose text of every file in EXECUTED (relpath -> lines) is consistent.

    CONSISTENT(key, text, lines) is asked once per distinct blob of each file; a file renamed since
    a commit is looked up there under its old name.
    """
    history = git.history()
    tracked = git.tree(history[0]) if history else {}
    executed = {rel: lines for rel, lines in executed.items() if rel in tracked}  # history knows no other
    if not executed:
        return None
    verdicts: dict[tuple[str, str], bool] = {}
    for sha in history:
        tree = git.tree(sha)
        for rel, lines in executed.items():
            blob = tree.get(rel) or tree.get(git.old_name(sha, rel))
            if blob is None:
                break
            key = (rel, blob)
            if key not in verdicts:
                text = git.text(blob)
                verdicts[key] = text is not None and consistent(blob, text, lines)
            if not verdicts[key]:
                break
        else:
            return sha
    return None
