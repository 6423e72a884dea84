"""Find the Python files to analyse and name their modules.

Nothing found is lost silently: a file that cannot be read is still listed (it becomes a KW000
finding), and what is not listed (a FIFO, an undecodable name, a symlink loop) is named in a note.
"""

from __future__ import annotations

import fnmatch
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from knightwatch.errors import KnightwatchError
from knightwatch.source.layout import mapped_module

#: tool, cache and build directories, not walked unless they are packages (the stdlib has a `venv`)
SKIP_DIRS = {".git", ".hg", ".svn", ".tox", ".nox", ".venv", "venv", "__pycache__", "node_modules",
             ".knightwatch_cache", ".mypy_cache", ".pytest_cache", ".ruff_cache", "build", "dist", ".eggs"}


@dataclass(frozen=True)
class SourceFile:
    """One file to analyse: its path relative to the root (POSIX) and its dotted module name."""

    relpath: str
    abspath: Path
    module: str

    @property
    def is_package(self) -> bool:
        return self.abspath.name == "__init__.py"


def module_name(relpath: str, base: str = "") -> str:
    """`pkg/mod.py` -> `pkg.mod`; `pkg/__init__.py` -> `pkg`, relative to the directory BASE."""
    rel = relpath[len(base) + 1:] if base and relpath.startswith(base + "/") else relpath
    parts = rel[:-3].split("/") if rel.endswith(".py") else rel.split("/")
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts) or Path(relpath).parent.name or "__init__"


def _shown(path: Path, root: Path) -> str:
    """PATH relative to ROOT for messages, undecodable bytes of a file name escaped."""
    try:
        rel = path.relative_to(root).as_posix()
    except ValueError:
        rel = str(path)
    return os.fsencode(rel).decode("utf-8", "backslashreplace")


def _bad_name(name: str) -> bool:
    """True for a file name that is not valid UTF-8 (it could not be shown in any report)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _excluded(rel: str, name: str, exclude: list[str], directory: bool = False) -> bool:
    names = (rel, name, rel + "/") if directory else (rel, name)
    return any(fnmatch.fnmatch(n, pat) for pat in exclude for n in names)


def _skipped_dir(path: Path, rel: str, exclude: list[str]) -> bool:
    """Virtual environments (by their `pyvenv.cfg`), tool and build directories that are not
    packages, and excluded directories are not walked."""
    if (path / "pyvenv.cfg").is_file() or _excluded(rel, path.name, exclude, directory=True):
        return True
    skip_name = path.name in SKIP_DIRS or path.name.endswith(".egg-info")
    return skip_name and not (path / "__init__.py").is_file()


def _walk(top: Path, root: Path, exclude: list[str], notes: list[str]):
    seen: set[tuple[int, int]] = set()
    for dirpath, dirnames, filenames in os.walk(top, followlinks=True, onerror=lambda e: notes.append(
            f"{_shown(Path(e.filename), root)}: cannot list directory: {e.strerror}")):
        here = Path(dirpath)
        try:
            st = os.stat(dirpath)
        except OSError:
            dirnames[:] = []
            continue
        if (st.st_dev, st.st_ino) in seen:  # symlink loop or a directory reached twice
            notes.append(f"{_shown(here, root)}: directory reached twice (symlink loop?), skipped")
            dirnames[:] = []
            continue
        seen.add((st.st_dev, st.st_ino))
        kept = []
        for d in sorted(dirnames):
            inner = _inner_link(here / d, top)
            if _bad_name(d):
                notes.append(f"{_shown(here / d, root)}: directory name is not valid UTF-8, not analysed")
            elif inner is not None:
                notes.append(f"{_shown(here / d, root)}: symlink to {inner} in the same tree, analysed there")
            elif not _skipped_dir(here / d, (here / d).relative_to(root).as_posix(), exclude):
                kept.append(d)
        dirnames[:] = kept
        for name in sorted(filenames):
            if not name.endswith(".py"):
                continue
            path = here / name
            rel = path.relative_to(root).as_posix()
            if _excluded(rel, name, exclude):
                continue
            if _bad_name(name):
                notes.append(f"{_shown(path, root)}: file name is not valid UTF-8, not analysed")
            elif _special(path):
                notes.append(f"{rel}: not a regular file (a FIFO, socket or device), not analysed")
            else:
                yield path, rel


def _inner_link(path: Path, top: Path) -> str | None:
    """Where a symlinked directory points when that is inside TOP (walked anyway, or a loop)."""
    if not path.is_symlink():
        return None
    try:
        target = path.resolve(strict=True)
        return target.relative_to(top.resolve()).as_posix()
    except (OSError, RuntimeError, ValueError):  # dangling, a loop of links, or outside TOP
        return None


def _special(path: Path) -> bool:
    """True for something that exists but is not a regular file; reading a FIFO would block and a
    device may never end. A dangling symlink is not special: reading it reports the error."""
    try:
        return not stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False


def python_files(root: Path):
    """(path, relative path) of every Python file under ROOT, skipping what discovery skips."""
    return _walk(root, root, [], [])


def discover(root: Path, source: list[str], exclude: list[str], notes: list[str],
             package_dirs: dict[str, str] | None = None) -> list[SourceFile]:
    """The Python files under ROOT's `source` entries (all of ROOT when empty), sorted by path. A file
    in a folder that PACKAGE_DIRS maps to a package (`layout.package_dirs`) is named by that mapping."""
    files: dict[str, SourceFile] = {}
    tops = source or ["."]
    for entry in tops:
        top = root / entry
        if top.is_file() and top.suffix == ".py":
            rel = top.relative_to(root).as_posix()
            files[rel] = SourceFile(rel, top, mapped_module(rel, package_dirs or {}) or module_name(rel))
            continue
        if not top.is_dir():
            raise KnightwatchError(f"source entry {entry!r} does not exist under {root}")
        # a package directory names its modules from its parent; a plain directory (src/) from itself;
        # a project root that is itself a package keeps its own name as the package
        package = (top / "__init__.py").is_file()
        prefix = f"{root.resolve().name}." if package and top.resolve() == root.resolve() else ""
        base = top if prefix or not package else top.parent
        base_rel = "" if base.resolve() == root.resolve() else base.relative_to(root).as_posix()
        for path, rel in _walk(top, root, exclude, notes):
            mapped = mapped_module(rel, package_dirs or {})
            name = module_name(rel, base_rel)
            files[rel] = SourceFile(rel, path, mapped or (prefix + name if name != "__init__" or not prefix else prefix[:-1]))
    return [files[k] for k in sorted(files)]
