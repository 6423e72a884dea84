"""Find the Python files to analyse and name their modules."""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass
from pathlib import Path

from knightwatch.errors import KnightwatchError

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


def _walk(top: Path, root: Path, exclude: list[str], notes: list[str]):
    seen: set[tuple[int, int]] = set()
    for dirpath, dirnames, filenames in os.walk(top, followlinks=True, onerror=lambda e: notes.append(
            f"{e.filename}: cannot list directory: {e.strerror}")):
        try:
            st = os.stat(dirpath)
        except OSError:
            dirnames[:] = []
            continue
        if (st.st_dev, st.st_ino) in seen:  # symlink loop or a directory reached twice
            notes.append(f"{Path(dirpath).relative_to(root).as_posix()}: directory reached twice (symlink loop?), skipped")
            dirnames[:] = []
            continue
        seen.add((st.st_dev, st.st_ino))
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.endswith(".egg-info"))
        for name in sorted(filenames):
            if name.endswith(".py"):
                path = Path(dirpath) / name
                rel = path.relative_to(root).as_posix()
                if not any(fnmatch.fnmatch(rel, pat) or fnmatch.fnmatch(name, pat) for pat in exclude):
                    yield path, rel


def discover(root: Path, source: list[str], exclude: list[str], notes: list[str]) -> list[SourceFile]:
    """The Python files under ROOT's `source` entries (all of ROOT when empty), sorted by path."""
    files: dict[str, SourceFile] = {}
    tops = source or ["."]
    for entry in tops:
        top = root / entry
        if top.is_file() and top.suffix == ".py":
            rel = top.relative_to(root).as_posix()
            files[rel] = SourceFile(rel, top, module_name(rel))
            continue
        if not top.is_dir():
            raise KnightwatchError(f"source entry {entry!r} does not exist under {root}")
        # a package directory names its modules from its parent; a plain directory (src/) from itself
        # a package directory names its modules from its parent; a plain directory (src/) from itself;
        # a project root that is itself a package keeps its own name as the package
        package = (top / "__init__.py").is_file()
        prefix = f"{root.resolve().name}." if package and top.resolve() == root.resolve() else ""
        base = top if prefix or not package else top.parent
        base_rel = "" if base.resolve() == root.resolve() else base.relative_to(root).as_posix()
        for path, rel in _walk(top, root, exclude, notes):
            name = module_name(rel, base_rel)
            files[rel] = SourceFile(rel, path, prefix + name if name != "__init__" or not prefix else prefix[:-1])
    return [files[k] for k in sorted(files)]
