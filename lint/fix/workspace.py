"""A throwaway copy of the project in which edited sources are analysed and checked before any of
them touches the real tree."""

from __future__ import annotations

import io
import shutil
import tempfile
import tokenize
from pathlib import Path

from knightwatch.config import load_config

IGNORED = shutil.ignore_patterns(".git", ".hg", ".venv", "venv", "__pycache__", ".knightwatch_cache",
                                 ".mypy_cache", ".pytest_cache", "node_modules", ".coverage*", ".tox")


def read_source(path: Path) -> tuple[str, str] | None:
    """The text of the Python file PATH as written (line endings kept) and its encoding (BOM,
    coding cookie, else UTF-8); None when it does not decode cleanly (such a file is not edited)."""
    try:
        data = path.read_bytes()
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding), encoding
    except (OSError, SyntaxError, UnicodeDecodeError, LookupError):
        return None


class Workspace:
    """`root` is a copy of PROJECT's tree (without VCS data, caches and coverage data files)."""

    def __init__(self, project: Path):
        self._tmp = tempfile.TemporaryDirectory(prefix="knightwatch-fix-")
        self.root = Path(self._tmp.name) / project.name
        shutil.copytree(project, self.root, ignore=IGNORED, symlinks=True)

    def __enter__(self) -> "Workspace":
        return self

    def __exit__(self, *exc) -> None:
        self._tmp.cleanup()

    def write(self, texts: dict[str, str | None], encodings: dict[str, str]) -> None:
        """Put TEXTS (relative path -> text, None to delete) in the copy, in their ENCODINGS."""
        for path, text in texts.items():
            target = self.root / path
            if text is None:
                target.unlink(missing_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(text.encode(encodings.get(path, "utf-8")))

    def analyse(self):
        """The copy analysed without production coverage (its line numbers no longer match)."""
        from knightwatch.analysis import analyse

        return analyse(load_config(self.root), coverage=[])

    def check(self):
        """Every rule over the copy, without production coverage: the RunResult."""
        return static_check(self.root)


def static_check(root: Path):
    """Every rule over ROOT without production coverage or caches: the RunResult."""
    from knightwatch.engine import check

    return check(load_config(root), coverage=[])[0]
