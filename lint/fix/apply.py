"""Putting a fix plan in the tree: refused on a dirty git tree, shown as a unified diff, or written
all at once (every file or none)."""

from __future__ import annotations

import difflib
import os
import subprocess
from pathlib import Path

from knightwatch.errors import KnightwatchError
from knightwatch.production.gitcmd import git

STAGED = ".kwfix-new"
SAVED = ".kwfix-old"


def dirty_files(root: Path) -> list[str] | None:
    """Uncommitted changes of the git work tree holding ROOT (paths as git shows them); None when
    ROOT is not in a git work tree (or git is missing)."""
    try:
        done = git(root, "status", "--porcelain", "--untracked-files=no", "--", ".", text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode:
        return None
    return [line[3:] for line in done.stdout.splitlines() if line.strip()]


def untracked(root: Path, paths: list[str]) -> list[str]:
    """Those of PATHS (relative to ROOT) that git does not track (or ignores): an edit of them could
    not be undone with git."""
    if not paths:
        return []
    try:
        done = git(root, "ls-files", "--others", "--", *paths, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted(done.stdout.splitlines()) if done.returncode == 0 else []


def unified_diff(changes: dict[str, tuple[str | None, str | None]], notes: list[str]) -> str:
    """A `git apply`-able unified diff of CHANGES, the NOTES (what was kept and why) first."""
    out = [f"# knightwatch fix: {note}\n" for note in notes]
    for path, (before, after) in sorted(changes.items()):
        old = (before or "").splitlines(keepends=True)
        new = (after or "").splitlines(keepends=True)
        for line in difflib.unified_diff(old, new, f"a/{path}" if before is not None else "/dev/null",
                                         f"b/{path}" if after is not None else "/dev/null"):
            out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def write_all(root: Path, changes: dict[str, tuple[str | None, str | None]],
              encodings: dict[str, str] | None = None) -> None:
    """Apply CHANGES under ROOT atomically, each text in its file's encoding (ENCODINGS, else UTF-8):
    the new texts are staged beside their files, then the old files set aside and the new ones moved
    in; any failure puts every old file back."""
    staged: list[tuple[Path, Path | None]] = []
    moved: list[tuple[Path, Path | None]] = []  # (file, its saved original or None when it was new)
    try:
        for path, (_, after) in sorted(changes.items()):
            target = root / path
            if after is None:
                staged.append((target, None))
                continue
            temp = target.with_name(target.name + STAGED)
            with open(temp, "wb") as fh:
                fh.write(after.encode((encodings or {}).get(path, "utf-8")))
                fh.flush()
                os.fsync(fh.fileno())
            if target.exists():
                os.chmod(temp, target.stat().st_mode & 0o7777)
            staged.append((target, temp))
        for target, temp in staged:
            saved = target.with_name(target.name + SAVED) if target.exists() else None
            if saved is not None:
                os.replace(target, saved)
            moved.append((target, saved))
            if temp is not None:
                os.replace(temp, target)
    except OSError as exc:
        for target, saved in reversed(moved):
            if saved is not None:
                os.replace(saved, target)
            else:
                target.unlink(missing_ok=True)
        for _, temp in staged:
            if temp is not None:
                temp.unlink(missing_ok=True)
        raise KnightwatchError(f"fix: cannot write {exc.filename or root}: {exc.strerror or exc}; "
                               "nothing written") from None
    for _, saved in moved:
        if saved is not None:
            saved.unlink(missing_ok=True)
