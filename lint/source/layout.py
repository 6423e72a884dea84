"""How a project maps its folders to packages, read from its packaging metadata.

Imports name packages (`knightwatch.rules`), folders hold them (`rules/`): setuptools'
`package-dir`, hatch's wheel `packages` and `sources`, poetry's `packages` with `from`, and the
`src/` layout say which folder is which package. The result maps a folder (relative to the project
root, POSIX) to the dotted name of the package it holds ("" for a folder whose subfolders are
top-level packages, as `src/` is).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _table(data: Any, *keys: str) -> Any:
    """DATA[KEYS...], or {} where a level is missing or is not a table (a malformed file is not ours to judge)."""
    for key in keys:
        data = data.get(key, {}) if isinstance(data, dict) else {}
    return data


def _setuptools(tool: dict[str, Any]) -> dict[str, str]:
    mapping = _table(tool, "setuptools", "package-dir")
    if not isinstance(mapping, dict):
        return {}
    return {_folder(d): name for name, d in mapping.items() if isinstance(name, str) and isinstance(d, str)}


def _hatch(tool: dict[str, Any]) -> dict[str, str]:
    wheel = _table(tool, "hatch", "build", "targets", "wheel")
    if not isinstance(wheel, dict):
        return {}
    found = {}
    packages = wheel.get("packages", [])
    for path in packages if isinstance(packages, list) else []:
        if isinstance(path, str) and "/" in path.strip("/"):  # "src/pkg": the folder src/ holds top-level packages
            found[_folder(path.strip("/").rpartition("/")[0])] = ""
    sources = wheel.get("sources", {})
    if isinstance(sources, dict):  # {"lib" = "pkg"}: the folder lib/ is installed as pkg
        found.update({_folder(d): name.strip("/").replace("/", ".") for d, name in sources.items()
                      if isinstance(d, str) and isinstance(name, str)})
    return found


def _poetry(tool: dict[str, Any]) -> dict[str, str]:
    packages = _table(tool, "poetry", "packages")
    found = {}
    for entry in packages if isinstance(packages, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("from"), str):
            found[_folder(entry["from"])] = ""
    return found


def _folder(path: str) -> str:
    return "" if path.strip() in ("", ".") else Path(path).as_posix().strip("/")


def package_dirs(pyproject: dict[str, Any], root: Path) -> dict[str, str]:
    """Folder -> package name, from PYPROJECT's packaging tables; a `src/` folder holding packages
    (and no `__init__.py` of its own) is a src layout even when nothing says so."""
    tool = pyproject.get("tool", {})
    found: dict[str, str] = {}
    if isinstance(tool, dict):
        for read in (_setuptools, _hatch, _poetry):
            found.update(read(tool))
    src = root / "src"
    if not found and src.is_dir() and not (src / "__init__.py").exists() \
            and any((p / "__init__.py").is_file() for p in src.iterdir() if p.is_dir()):
        found["src"] = ""
    return {folder: name for folder, name in found.items() if folder or name}


def mapped_module(relpath: str, dirs: dict[str, str]) -> str | None:
    """The dotted module of the file RELPATH under the deepest mapped folder that holds it, or None."""
    best = max((d for d in dirs if relpath.startswith(d + "/") or not d), key=len, default=None)
    if best is None:
        return None
    rest = relpath[len(best) + 1:] if best else relpath
    parts = rest[:-3].split("/")
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(p for p in (dirs[best], *parts) if p) or None
