"""The decision layer between rules and reporters: --select/--ignore, inline suppressions, baseline."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Iterable, Iterator

from knightwatch.errors import KnightwatchError
from knightwatch.finding import Finding, Suppression
from knightwatch.rule import Rule
from knightwatch.source.summary import IGNORE_RE

if TYPE_CHECKING:  # pragma: no cover
    from knightwatch.analysis import Analysis


def selected(rules: list[type[Rule]], select: list[str], ignore: list[str],
             origins: tuple[str, str] = ("--select", "--ignore")) -> list[type[Rule]]:
    """Rules whose id starts with a SELECT prefix (all when empty) and with no IGNORE prefix.
    An unknown code is an error naming where it was given (ORIGINS: of SELECT, of IGNORE)."""
    for codes, origin in zip((select, ignore), origins):
        for code in (c.strip().upper() for c in codes if c.strip()):
            if not any(r.id.startswith(code) or r.name == code.lower() for r in rules) and code != "ALL":
                raise KnightwatchError(f"unknown rule code {code!r} in {origin} "
                                       f"(known: {', '.join(r.id for r in rules)})")

    def matches(rule, patterns):
        return any(p.strip().upper() == "ALL" or rule.id.startswith(p.strip().upper()) or rule.name == p.strip().lower()
                   for p in patterns if p.strip())

    return [r for r in rules if (not select or matches(r, select)) and not matches(r, ignore)]


@dataclass(frozen=True)
class Ignore:
    """One `# knightwatch: ignore[...]` comment; empty `codes` means a bare ignore (refused)."""

    path: str
    line: int
    column: int
    codes: tuple[str, ...]
    reason: str


def parse_ignore(comment: str) -> tuple[int, tuple[str, ...], str] | None:
    """(offset, codes, reason) of the ignore in COMMENT, or None when it holds none."""
    m = IGNORE_RE.search(comment)
    if m is None:
        return None
    codes = m.group("codes") or "[]"
    return m.start(), tuple(c.strip().upper() for c in codes[1:-1].split(",") if c.strip()), \
        (m.group("reason") or "").strip()


def toml_comments(text: str) -> Iterator[tuple[int, int, str]]:
    """(line, 1-based column, text) of every comment in TOML TEXT; a `#` inside a string is no comment."""
    quote = ""  # delimiter of the open string: a single or a triple " or '
    for lineno, line in enumerate(text.splitlines(), 1):
        if len(quote) == 1:
            quote = ""  # single-line strings cannot span lines
        i = 0
        while i < len(line):
            char = line[i]
            if quote:
                if char == "\\" and quote[0] == '"':
                    i += 2
                elif line.startswith(quote, i):
                    i, quote = i + len(quote), ""
                else:
                    i += 1
            elif char == "#":
                yield lineno, i + 1, line[i:]
                break
            elif char in "\"'":
                quote = char * 3 if line.startswith(char * 3, i) else char
                i += len(quote)
            else:
                i += 1


def _python_ignores(path: str, lines: list[str], found: list) -> Iterator[Ignore]:
    for line, codes, reason in found:
        text = lines[line - 1] if 0 < line <= len(lines) else ""
        m = IGNORE_RE.search(text)
        yield Ignore(path, line, m.start() + 1 if m else 1, tuple(codes or ()), reason)


def ignores_of(analysis: "Analysis") -> list[Ignore]:
    """Every inline ignore: in the Python files analysed, and in the flag registry's TOML comments."""
    found = [ig for path, info in analysis.files.items() if info.summary
             for ig in _python_ignores(path, info.lines, info.summary.get("ignores", []))]
    registry = analysis.config.registry
    if analysis.registry is not None and registry is not None and registry.suffix == ".toml":
        try:
            text = registry.read_text(encoding="utf-8", errors="replace")
        except OSError:  # it was read a moment ago; a vanished file has nothing to suppress
            text = ""
        for line, column, comment in toml_comments(text):
            parsed = parse_ignore(comment)
            if parsed:
                offset, codes, reason = parsed
                found.append(Ignore(analysis.registry.path, line, column + offset, codes, reason))
    return found


def suppress_inline(findings: Iterable[Finding], ignores: list[Ignore]) -> tuple[list[Finding], dict[Ignore, set[str]]]:
    """Mark findings whose rule an ignore on their line names as suppressed (`inSource`, the reason as
    justification). Returns the findings and, per ignore, the codes that suppressed something."""
    on_line = {(ig.path, ig.line): ig for ig in ignores if ig.codes}
    used: dict[Ignore, set[str]] = {ig: set() for ig in ignores}
    decided = []
    for f in findings:
        ig = on_line.get((f.path, f.line))
        if f.suppression is None and ig is not None and f.rule in ig.codes:
            used[ig].add(f.rule)
            f = replace(f, suppression=Suppression("inSource", ig.reason))
        decided.append(f)
    return decided, used


def unused_codes(used: dict[Ignore, set[str]], judged: set[str]) -> list[tuple[Ignore, list[str]]]:
    """Per ignore, the codes of rules in JUDGED (rules that ran) that suppressed nothing on its line."""
    found = []
    for ig, hit in used.items():
        codes = [c for c in dict.fromkeys(ig.codes) if c in judged and c not in hit]
        if codes:
            found.append((ig, codes))
    return found


def apply_baseline(findings: Iterable[Finding], fingerprints: frozenset[str], source: str) -> list[Finding]:
    """Mark active findings whose fingerprint is in the baseline as suppressed (`external`)."""
    why = Suppression("external", f"in baseline {source}")
    return [replace(f, suppression=why) if f.suppression is None and f.fingerprint in fingerprints else f
            for f in findings]
