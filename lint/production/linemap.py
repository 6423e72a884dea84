"""Carry executed lines and arcs from one text of a file to a newer one, as a review tool shifts comments.

Lines the two texts share (difflib's matching blocks) move to their new numbers; lines of the newer
text with no counterpart (added or changed since) have no data: they are *unknown*.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Iterable

Arc = tuple[int, int]


def split_lines(text: str) -> list[str]:
    """TEXT's lines, whatever its line endings."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


@dataclass(frozen=True)
class LineMap:
    """Old line -> new line for the lines both texts share; the new lines nothing maps to."""

    forward: dict[int, int]
    unknown: frozenset[int]  # new lines (not blank) added or changed since the old text

    def lines(self, executed: Iterable[int]) -> frozenset[int]:
        fwd = self.forward
        return frozenset(fwd[n] for n in executed if n in fwd)

    def arcs(self, arcs: Iterable[Arc]) -> frozenset[Arc]:
        """Arcs whose both ends survive; a negative end (-N: entry to or exit from the code object
        starting at line N) moves with line N, except -1, which also stands for the module itself."""
        fwd = self.forward
        out = set()
        for a, b in arcs:
            a2 = fwd.get(a) if a > 0 else (-1 if a == -1 else -fwd.get(-a, 0))
            b2 = fwd.get(b) if b > 0 else (-1 if b == -1 else -fwd.get(-b, 0))
            if a2 and b2:
                out.add((a2, b2))
        return frozenset(out)


def line_map(old: str, new: str) -> LineMap:
    """How the lines of OLD moved in NEW."""
    a, b = split_lines(old), split_lines(new)
    forward: dict[int, int] = {}
    for i, j, size in SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks():
        forward.update(zip(range(i + 1, i + size + 1), range(j + 1, j + size + 1)))
    mapped = set(forward.values())
    unknown = frozenset(n for n, line in enumerate(b, 1) if n not in mapped and line.strip())
    return LineMap(forward, unknown)

