"""Read inline `# expect: KW301 critical, KW401 high` comments from a fixture tree."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

EXPECT = re.compile(r"#\s*expect:\s*(?P<items>[^#\n]+)")
ITEM = re.compile(r"(KW\d{3})(?:\s+(critical|high|medium|low))?")


def expected_findings(root: Path, suffixes=(".py", ".toml")) -> Counter:
    """Counter of (relative path, line, rule, severity or None) for every expectation under ROOT."""
    found: Counter = Counter()
    for path in sorted(root.rglob("*")):
        if path.suffix not in suffixes or not path.is_file() or "prodcov" in path.parts:
            continue
        rel = path.relative_to(root).as_posix()
        for lineno, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            m = EXPECT.search(line)
            if m:
                for rule, severity in ITEM.findall(m.group("items")):
                    found[(rel, lineno, rule, severity or None)] += 1
    return found


def actual_findings(findings, with_severity: bool = True) -> Counter:
    return Counter((f["path"], f["line"], f["rule"], f["severity"] if with_severity else None) for f in findings)
