"""Read and parse one file: stdlib `ast` first; newer syntax is lowered with a LibCST codemod.

Nothing is imported or run: files are decoded and parsed, and compiled only for the compiler's checks.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
import warnings
from dataclasses import dataclass


#: CPython's tokenizer refuses brackets nested this deep (MAXLEVEL), in every version
MAX_NESTING = 200
_BRACKETS = re.compile(r"[][(){}]")
#: what parsing or compiling a file can raise for the file's sake
PARSE_ERRORS = (SyntaxError, ValueError, MemoryError, RecursionError)


@dataclass(frozen=True)
class ParseError:
    """Why a file could not be analysed (1-based line and column)."""

    line: int
    column: int
    message: str


def decode(data: bytes) -> str:
    """Decode source bytes as Python does: BOM, coding cookie, else UTF-8.

    Raises SyntaxError naming the line of the offending byte where there is one.
    """
    null = data.find(b"\x00")
    if null >= 0:
        raise _at(data, null, "source code cannot contain null bytes")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        if "invalid or missing encoding declaration" not in str(exc):
            raise SyntaxError(f"bad coding declaration: {exc}") from None
        encoding = "utf-8"  # the first lines are not UTF-8 and declare nothing: find the byte below
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        if not _interpreter_accepts(data):
            raise _at(data, exc.start, f"not valid {exc.encoding} (byte 0x{data[exc.start]:02x}); "
                      "declare the file's encoding with a coding cookie (PEP 263)") from None
        text = data.decode(encoding, "replace")  # the bad bytes are in comments, which Python skips
    except LookupError as exc:
        raise SyntaxError(f"bad coding declaration: {exc}") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _interpreter_accepts(data: bytes) -> bool:
    """Whether this interpreter parses DATA, decoding it itself (it does not check comments)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ast.parse(data)
        except PARSE_ERRORS:
            return False
    return True


def _at(data: bytes, offset: int, message: str) -> SyntaxError:
    """A SyntaxError at byte OFFSET of DATA (1-based line and column)."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    exc = SyntaxError(message)
    exc.lineno, exc.offset = data.count(b"\n", 0, offset) + 1, offset - line_start + 1
    return exc


def parse(text: str, filename: str, check: bool = True) -> ast.Module:
    """Parse TEXT as this interpreter would compile it; syntax newer than the interpreter is lowered
    with LibCST first. Raises SyntaxError, also for what only the compiler refuses (a misplaced or
    unknown `from __future__` import, `return` outside a function, `nonlocal` at module level) unless
    CHECK is false: then `compiler_check` must pass before the tree is trusted."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # invalid escape sequences and the like are not our business
        tree = _parse(text, filename)
        if check:
            try:
                compile(tree, filename, "exec", dont_inherit=True)  # the compiler's checks; never run
            except RecursionError:  # converting the tree back has a lower limit than compiling the text
                compile(text, filename, "exec", dont_inherit=True)
        return tree


def compiler_check(text: str, filename: str) -> None:
    """The compiler's checks that `parse(TEXT, FILENAME, check=False)` skipped; raises as `parse` would.
    Compiling the text is cheaper than parsing it into a tree again; only a file it refuses (perhaps
    for syntax newer than this interpreter, which `parse` lowers) takes that way for the verdict."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            compile(text, filename, "exec", dont_inherit=True)
            return
        except PARSE_ERRORS:
            pass
    parse(text, filename)


def _parse(text: str, filename: str) -> ast.Module:
    try:
        return ast.parse(text, filename)
    except SyntaxError as first:
        from knightwatch.source.lower import lower_newer_syntax

        if _deepest_bracket(text) >= MAX_NESTING:  # refused by every Python; LibCST could overflow its stack
            raise first
        lowered = lower_newer_syntax(text)
        if lowered is None:
            raise first
        try:
            return ast.parse(lowered, filename)
        except SyntaxError:
            raise first from None


def _deepest_bracket(text: str) -> int:
    """How deeply brackets nest in TEXT (those in strings and comments count too: an upper bound)."""
    depth = deepest = 0
    for m in _BRACKETS.finditer(text):
        depth = depth + 1 if m.group() in "([{" else max(0, depth - 1)
        deepest = max(deepest, depth)
    return deepest


def parse_error(exc: Exception) -> ParseError:
    line = getattr(exc, "lineno", None) or 1
    col = getattr(exc, "offset", None) or 1
    msg = getattr(exc, "msg", None) or str(exc)
    return ParseError(int(line), max(1, int(col)), str(msg).splitlines()[0] if msg else type(exc).__name__)
