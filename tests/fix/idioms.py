"""Piranha-style fix cases: an input project, a command, the expected project.

A case file (`idioms/*.txt`) starts with comment lines (`#`) saying what it shows and a
`command:` line (the `knightwatch fix` options). `=== PATH` starts an input file, `>>> PATH` an
expected one (`<deleted>` as its whole text: the fix deletes it). Files not given take their text
from BASE; files without an expected text must come out unchanged.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
DELETED = "<deleted>"

BASE = {
    "pyproject.toml": """\
[project]
name = "app"

[tool.knightwatch]
source = ["app"]
entry-points = ["app.main:main", "app.flags:Flags.is_on"]

[tool.knightwatch.flags]
accessors = ["app.flags.Flags.is_on"]
registry = "flags.toml"
""",
    "flags.toml": """\
# the flag registry

[flags."new-ui"]
owner = "web"
kind = "release"

[flags."beta"]
owner = "web"
kind = "release"
""",
    "app/__init__.py": "",
    "app/flags.py": '''\
"""Flag keys and the flag client."""

NEW_UI = "new-ui"
BETA = "beta"


class Flags:
    def is_on(self, key: str) -> bool:
        return key == BETA


flags = Flags()
''',
}


@dataclass
class Case:
    name: str
    command: list[str]
    inputs: dict[str, str] = field(default_factory=dict)
    expected: dict[str, str | None] = field(default_factory=dict)

    def write(self, root: Path) -> None:
        for path, text in {**BASE, **self.inputs}.items():
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")

    def want(self) -> dict[str, str]:
        files = {**BASE, **self.inputs}
        for path, text in self.expected.items():
            if text is None:
                files.pop(path, None)
            else:
                files[path] = text
        return files


def load(path: Path) -> Case:
    text = path.read_text(encoding="utf-8")
    command = re.search(r"^command: (.*)$", text, re.M)
    case = Case(path.stem, shlex.split(command.group(1)) if command else [])
    for marker, name, body in re.findall(r"^(===|>>>) (\S+)\n(.*?)(?=^(?:===|>>>) |\Z)", text, re.M | re.S):
        body = body[:-1] if body.endswith("\n\n") else body  # the blank line between sections
        body = "" if body == "\n" else body
        if marker == "===":
            case.inputs[name] = body
        else:
            case.expected[name] = None if body.strip() == DELETED else body
    return case


def cases() -> list[Case]:
    return [load(p) for p in sorted((HERE / "idioms").glob("*.txt"))]


def snapshot(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8") for p in sorted(root.rglob("*"))
            if p.is_file() and ".knightwatch_cache" not in p.parts and "__pycache__" not in p.parts}
