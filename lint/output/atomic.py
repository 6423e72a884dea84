"""Write a report atomically: readers see the old file or the whole new one, never a partial write."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from pathlib import Path

from knightwatch.errors import KnightwatchError


def _mode(target: Path) -> int:
    """Keep an existing file's permissions; a new file gets the usual umask-derived ones."""
    try:
        return target.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_atomic(path: str | os.PathLike[str] | None, text: str) -> None:
    """Write TEXT (UTF-8) to PATH via a temp file in the same directory, fsync and `os.replace`.

    `-` or None writes to stdout; a target that exists but is no regular file (`/dev/null`, a FIFO) is
    written in place. The temp file is removed on any failure, interrupts included.
    """
    if path is None or os.fspath(path) == "-":
        if sys.stdout is None:  # started with its descriptor closed
            raise KnightwatchError("cannot write the report: standard output is closed")
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    target = Path(path)
    if target.exists() and not target.is_file():  # /dev/null, a FIFO, a terminal: never replace it
        try:
            with open(target, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
        except OSError as exc:
            raise KnightwatchError(f"cannot write {target}: {exc.strerror or exc}") from None
        return
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise KnightwatchError(f"cannot write {target}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _mode(target))
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise KnightwatchError(f"cannot write {target}: {exc.strerror or exc}") from None
        raise
