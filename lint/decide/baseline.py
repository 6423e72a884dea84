"""Baselines: accepted findings by fingerprint in a JSON file, and the project as it was at a git commit."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import tarfile
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Iterable, Iterator

from knightwatch.config import Config
from knightwatch.errors import KnightwatchError
from knightwatch.finding import Finding
from knightwatch.production.gitcmd import git

DEFAULT_NAME = ".knightwatch-baseline.json"
FORMAT_VERSION = 1


def render_baseline(findings: Iterable[Finding]) -> str:
    """The baseline file: one entry per finding, no line numbers, in a stable order."""
    entries = sorted(({"fingerprint": f.fingerprint, "rule": f.rule, "path": f.path, "message": f.message}
                      for f in findings), key=lambda e: (e["path"], e["rule"], e["fingerprint"]))
    return json.dumps({"tool": "knightwatch", "version": FORMAT_VERSION, "findings": entries}, indent=2) + "\n"


def load_baseline(path: Path) -> frozenset[str]:
    """The fingerprints in a baseline file; a missing or malformed file is a one-line error."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KnightwatchError(f"{path}: baseline not found (write one with `knightwatch baseline`)") from None
    except OSError as exc:
        raise KnightwatchError(f"{path}: cannot read baseline: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise KnightwatchError(f"{path}: not a knightwatch baseline: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise KnightwatchError(f"{path}: not a knightwatch baseline: invalid JSON at line {exc.lineno} "
                               f"column {exc.colno}") from None
    entries = data.get("findings") if isinstance(data, dict) and data.get("tool") == "knightwatch" else None
    if not isinstance(entries, list) or not all(isinstance(e, dict) and isinstance(e.get("fingerprint"), str)
                                                for e in entries):
        raise KnightwatchError(f"{path}: not a knightwatch baseline (expected "
                               '{"tool": "knightwatch", "findings": [{"fingerprint": ...}, ...]})')
    if data.get("version") != FORMAT_VERSION:
        raise KnightwatchError(f"{path}: baseline version {data.get('version')!r} is not supported "
                               f"(expected {FORMAT_VERSION}; rewrite it with `knightwatch baseline`)")
    return frozenset(e["fingerprint"] for e in entries)


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    try:
        return git(cwd, *args, timeout=None)
    except OSError as exc:
        raise KnightwatchError(f"--baseline-ref needs git: {exc.strerror or exc}") from None


def _first_line(raw: bytes) -> str:
    return (raw.decode(errors="replace").strip().splitlines() or ["git failed"])[0]


@contextlib.contextmanager
def tree_at(root: Path, ref: str) -> Iterator[Path]:
    """The project directory ROOT as of git REF, exported with `git archive` into a temporary directory.

    Nothing in the repository changes (no worktree, no checkout)."""
    top = _git(root, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise KnightwatchError(f"--baseline-ref: {root} is not in a git repository ({_first_line(top.stderr)})")
    commit = _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    if commit.returncode != 0:
        raise KnightwatchError(f"--baseline-ref: {ref!r} is not a commit in {top.stdout.decode().strip()}")
    toplevel = Path(top.stdout.decode().strip())
    rel = root.resolve().relative_to(toplevel.resolve()).as_posix()
    sha = commit.stdout.decode().strip()
    with tempfile.TemporaryDirectory(prefix="knightwatch-ref-") as tmp:
        args = ["archive", "--format=tar", sha] + ([] if rel == "." else ["--", rel])
        archive = _git(toplevel, *args)
        if archive.returncode != 0:
            raise KnightwatchError(f"--baseline-ref: cannot export {rel} at {ref}: {_first_line(archive.stderr)}")
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            if hasattr(tarfile, "data_filter"):
                tar.extractall(tmp, filter="data")
            else:  # pragma: no cover - Python builds before the 2023 tarfile filters
                tar.extractall(tmp)
        yield Path(tmp, rel)


def rebased(config: Config, root: Path, coverage: list[str] | None) -> tuple[Config, list[str]]:
    """CONFIG moved to the exported tree ROOT, and the coverage patterns made absolute so the
    production coverage of the current tree is used. A registry the tree lacks is left out."""
    patterns = [p if os.path.isabs(p) else str(config.root / p)
                for p in (coverage if coverage is not None else config.coverage)]
    registry = None
    if config.registry is not None:
        moved = root / config.registry.relative_to(config.root) \
            if config.registry.is_relative_to(config.root) else config.registry
        registry = moved if moved.is_file() else None
    return replace(config, root=root, registry=registry, baseline=None), patterns
