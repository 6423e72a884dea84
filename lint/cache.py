"""On-disk cache of per-file summaries, keyed by content hash and tool version.

Entries are `marshal` payloads behind a header holding a magic string, the key and a digest of
the payload, so a corrupt, truncated or foreign entry is detected and ignored, never trusted.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import tempfile
from pathlib import Path

from knightwatch import __version__
from knightwatch.summary import SUMMARY_VERSION

MAGIC = b"KWC1"
SALT = f"{__version__}/{SUMMARY_VERSION}".encode()


def content_key(data: bytes, module: str, is_package: bool) -> str:
    h = hashlib.blake2b(data, digest_size=20)
    h.update(b"\0" + module.encode() + (b"\0p" if is_package else b"\0m") + SALT)
    return h.hexdigest()


class Cache:
    """A directory of summaries; `get` returns None for anything missing or not trustworthy."""

    def __init__(self, directory: Path | None):
        self.directory = directory
        self.hits = 0
        self.misses = 0

    def _file(self, key: str) -> Path:
        assert self.directory is not None
        return self.directory / "summaries" / key[:2] / key

    def get(self, key: str):
        if self.directory is None:
            return None
        try:
            raw = self._file(key).read_bytes()
        except OSError:
            self.misses += 1
            return None
        head = len(MAGIC) + 40 + 32
        if len(raw) < head or raw[:4] != MAGIC or raw[4:44] != key.encode() \
                or hashlib.blake2b(raw[head:], digest_size=16).hexdigest().encode() != raw[44:head]:
            self.misses += 1
            return None
        try:
            value = marshal.loads(raw[head:])
        except (ValueError, EOFError, TypeError):
            self.misses += 1
            return None
        if not isinstance(value, dict) or value.get("v") != SUMMARY_VERSION:
            self.misses += 1
            return None
        self.hits += 1
        return value

    def put(self, key: str, value) -> None:
        if self.directory is None:
            return
        payload = marshal.dumps(value)
        blob = MAGIC + key.encode() + hashlib.blake2b(payload, digest_size=16).hexdigest().encode() + payload
        target = self._file(key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as fh:
                fh.write(blob)
            os.replace(tmp, target)
        except OSError:
            pass  # a cache that cannot be written only costs time


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
