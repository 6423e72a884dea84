"""The decision layer between rules and reporters: --select/--ignore, inline suppressions, baseline."""

from __future__ import annotations

from knightwatch.errors import KnightwatchError
from knightwatch.rule import Rule


def selected(rules: list[type[Rule]], select: list[str], ignore: list[str]) -> list[type[Rule]]:
    """Rules whose id starts with a SELECT prefix (all when empty) and with no IGNORE prefix."""
    codes = [c.strip().upper() for c in select + ignore if c.strip()]
    for code in codes:
        if not any(r.id.startswith(code) or r.name == code.lower() for r in rules) and code != "ALL":
            raise KnightwatchError(f"unknown rule code {code!r} in --select/--ignore "
                                   f"(known: {', '.join(r.id for r in rules)})")

    def matches(rule, patterns):
        return any(p.strip().upper() == "ALL" or rule.id.startswith(p.strip().upper()) or rule.name == p.strip().lower()
                   for p in patterns if p.strip())

    return [r for r in rules if (not select or matches(r, select)) and not matches(r, ignore)]
