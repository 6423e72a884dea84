"""Read and parse one file: stdlib `ast` first; newer syntax is lowered with a LibCST codemod."""

from __future__ import annotations

import ast
import io
import tokenize
import warnings
from dataclasses import dataclass


@dataclass(frozen=True)
class ParseError:
    """Why a file could not be analysed (1-based line and column)."""

    line: int
    column: int
    message: str


def decode(data: bytes) -> str:
    """Decode source bytes as Python does: BOM, coding cookie, else UTF-8. Raises SyntaxError."""
    if b"\x00" in data:
        raise SyntaxError("source code cannot contain null bytes")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding).replace("\r\n", "\n").replace("\r", "\n")
    except (UnicodeDecodeError, LookupError) as exc:
        raise SyntaxError(f"cannot decode source: {exc}") from None


def parse(text: str, filename: str) -> ast.Module:
    """Parse TEXT; fall back to LibCST for syntax newer than this interpreter. Raises SyntaxError."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # invalid escape sequences and the like are not our business
        try:
            return ast.parse(text, filename)
        except SyntaxError as first:
            from knightwatch.lower import lower_newer_syntax

            lowered = lower_newer_syntax(text)
            if lowered is None:
                raise first
            try:
                return ast.parse(lowered, filename)
            except SyntaxError:
                raise first from None


def parse_error(exc: Exception) -> ParseError:
    line = getattr(exc, "lineno", None) or 1
    col = getattr(exc, "offset", None) or 1
    msg = getattr(exc, "msg", None) or str(exc)
    return ParseError(int(line), max(1, int(col)), str(msg).splitlines()[0] if msg else type(exc).__name__)
