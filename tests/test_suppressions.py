"""Inline suppressions: `# knightwatch: ignore[CODE] -- reason` in Python and in flags.toml, KW001, KW002.

Also the helpers the other workflow tests share: a scratch copy of the SMARS fixture, comments
appended to its lines (never inserted, so the production coverage still matches), the CLI in-process.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from knightwatch.cli import main
from knightwatch.decide.filters import parse_ignore, toml_comments
from knightwatch.rules import ALL_RULES

SMARS = Path(__file__).resolve().parent.parent / "fixtures" / "smars"


def scratch_fixture(smars_dir: Path, target: Path) -> Path:
    shutil.copytree(smars_dir, target, ignore=shutil.ignore_patterns(".knightwatch_cache", "__pycache__"))
    return target


def annotate(path: Path, line: int, comment: str) -> None:
    """Append COMMENT to line LINE of PATH (1-based)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[line - 1] += f"  {comment}"
    path.write_text("\n".join(lines), encoding="utf-8")


def run(*args: str) -> tuple[int, str, str]:
    """`knightwatch ARGS` in-process: (exit code, stdout, stderr)."""
    result = CliRunner().invoke(main, [*args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def findings(project: Path, *args: str) -> tuple[int, list[dict]]:
    code, out, err = run("check", str(project), "--no-cache", "--format", "json", *args)
    assert code in (0, 1), err
    return code, json.loads(out)["findings"]


def outcome(found: list[dict]) -> Counter:
    """(rule, path, line, suppression kind or None) of each finding."""
    return Counter((f["rule"], f["path"], f["line"], (f["suppressed"] or {}).get("kind")) for f in found)


ANNOTATIONS = [  # (file, line, comment)
    ("smars/market.py", 51, "# knightwatch: ignore[KW102] -- kept for the tick-table audit"),
    ("flags.toml", 33, "# knightwatch: ignore[kw202]"),  # codes are case-insensitive
    ("smars/router.py", 53, "# knightwatch: ignore"),  # bare: refused, suppresses nothing
    ("smars/router.py", 59, "# knightwatch: ignore[KW101, KW999] -- sweep is parked"),  # one known, one unknown
    ("smars/legacy/power_peg.py", 28, "# knightwatch: ignore[KW102]"),  # no KW102 here: unused
    ("smars/router.py", 52, "# knightwatch: ignore[KW401, KW002]"),  # unused, but KW002 is silenced too
    ("flags.toml", 4, "# knightwatch: ignore[KW202]"),  # unused, in TOML
]


@pytest.fixture(scope="module")
def annotated(tmp_path_factory) -> Path:
    project = scratch_fixture(SMARS, tmp_path_factory.mktemp("annotated") / "smars")
    for rel, line, comment in ANNOTATIONS:
        annotate(project / rel, line, comment)
    with (project / "flags.toml").open("a", encoding="utf-8") as fh:  # a string is not a comment
        fh.write('description = "# knightwatch: ignore[KW202]"\n')
    return project


def test_every_suppression_case_end_to_end(annotated):
    code, found = findings(annotated)
    assert code == 1
    assert outcome(found) == Counter({
        ("KW102", "smars/market.py", 51, "inSource"): 1,
        ("KW202", "flags.toml", 33, "inSource"): 1,
        ("KW202", "flags.toml", 27, None): 1,
        ("KW401", "smars/router.py", 53, None): 1,
        ("KW001", "smars/router.py", 53, None): 1,
        ("KW101", "smars/router.py", 59, "inSource"): 1,
        ("KW001", "smars/router.py", 59, None): 1,
        ("KW301", "smars/legacy/power_peg.py", 28, None): 1,
        ("KW002", "smars/legacy/power_peg.py", 28, None): 1,
        ("KW201", "smars/router.py", 52, None): 1,
        ("KW002", "smars/router.py", 52, "inSource"): 1,
        ("KW002", "flags.toml", 4, None): 1,
        ("KW102", "smars/legacy/fix42_bridge.py", 1, None): 1,
    })


def test_reason_becomes_the_justification_and_messages_name_the_codes(annotated):
    _, found = findings(annotated)
    by_key = {(f["rule"], f["path"], f["line"]): f for f in found}
    assert by_key[("KW102", "smars/market.py", 51)]["suppressed"] == {
        "kind": "inSource", "justification": "kept for the tick-table audit"}
    assert by_key[("KW202", "flags.toml", 33)]["suppressed"] == {"kind": "inSource", "justification": ""}
    assert "bare `knightwatch: ignore` suppresses nothing" in by_key[("KW001", "smars/router.py", 53)]["message"]
    assert "unknown rule code KW999" in by_key[("KW001", "smars/router.py", 59)]["message"]
    assert "for KW102" in by_key[("KW002", "smars/legacy/power_peg.py", 28)]["message"]
    assert "for KW202" in by_key[("KW002", "flags.toml", 4)]["message"]
    toml_unused = by_key[("KW002", "flags.toml", 4)]
    assert toml_unused["column"] == len('[flags."routing.mode-7"]  ') + 1
    assert toml_unused["snippet"].endswith("# knightwatch: ignore[KW202]")


def test_unused_is_judged_only_for_rules_that_ran(annotated):
    _, found = findings(annotated, "--select", "KW102,KW002")
    assert outcome(found) == Counter({
        ("KW102", "smars/market.py", 51, "inSource"): 1,
        ("KW102", "smars/legacy/fix42_bridge.py", 1, None): 1,
        ("KW002", "smars/legacy/power_peg.py", 28, None): 1,  # KW102 ran and found nothing there
    })


def test_suppressed_findings_leave_the_exit_status_and_the_text_report(annotated):
    code, out, _ = run("check", str(annotated), "--no-cache", "--no-progress", "--select", "KW101")
    assert code == 0
    assert "KW101" not in out and "_sweep_midpoint" not in out
    assert "No findings in 15 files with coverage from 8 hosts; 1 suppressed." in " ".join(out.split())


def test_clean_fixture_has_no_suppression_findings():
    _, found = findings(SMARS)
    assert not [f for f in found if f["rule"] in ("KW001", "KW002") or f["suppressed"]]


def test_rules_are_registered_and_documented():
    rules = {r.id: r for r in ALL_RULES}
    assert rules["KW001"].name == "invalid-suppression" and rules["KW002"].name == "unused-suppression"
    for rule_id in ("KW001", "KW002"):
        docs = rules[rule_id].docs()
        assert list(docs.sections) == ["What it does", "Why is this bad?", "Example", "Use instead"]
        code, out, _ = run("explain", rule_id)
        assert code == 0 and docs.summary in out


@pytest.mark.parametrize(("comment", "expected"), [
    ("# knightwatch: ignore[KW101]", (0, ("KW101",), "")),
    ("#knightwatch:ignore[kw101 , KW102]--  parked until Q3 ", (0, ("KW101", "KW102"), "parked until Q3")),
    ("# expect: KW202 low  # knightwatch: ignore[KW202] -- infra", (21, ("KW202",), "infra")),
    ("# knightwatch: ignore", (0, (), "")),
    ("# knightwatch: ignore[]", (0, (), "")),
    ("# noqa: KW101", None),
])
def test_parse_ignore(comment, expected):
    assert parse_ignore(comment) == expected


def test_toml_comments_skip_hashes_inside_strings():
    text = "\n".join([
        'a = "x # no"  # one',
        "b = 'c:\\' # two",
        'c = """',
        "# inside a multi-line string",
        '""" # three',
        'd = "esc \\" # still a string" # four',
        "e = '''x # no''' # five",
        "# six",
    ])
    assert [(line, col, text) for line, col, text in toml_comments(text)] == [
        (1, 15, "# one"), (2, 11, "# two"), (5, 5, "# three"), (6, 31, "# four"), (7, 18, "# five"), (8, 1, "# six")]
