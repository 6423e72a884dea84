"""Generated code nested deeper than Python's recursion limit: each such file is one KW000 finding
and the run goes on with the rest of the tree (the issue's monorepo corpus has such files)."""

from __future__ import annotations

from expectations import actual_findings, expected_findings
from projects import check_json, make_project

DEPTH = 5000
#: module -> code nested DEPTH deep, each shape reaching the limit in another place (the parser,
#: the compiler or knightwatch's own summariser)
DEEP = {
    "sums": "def total(a):\n    return " + " + ".join(["a"] * DEPTH),
    "attributes": "import os\nchain = os" + ".path" * DEPTH,
    "conditionals": "def pick(a):\n    return " + " if a else ".join(["a"] * DEPTH),
    "lambdas": "nested = " + "lambda: " * DEPTH + "1",
    "calls": "def ident(a):\n    return a\n\n\nvalue = ident" + "(1)" * DEPTH,
    "negations": "value = " + "-" * DEPTH + "1",
}
#: refused by Python's tokenizer (200 levels at most), at the line it names
BRACKETS = "# generated\nvalue = " + "(" * DEPTH + "1" + ")" * DEPTH + "  # expect: KW000\n"
#: deeply nested but within every limit: analysed like any other file
SHALLOWER = "def unused_polynomial(x):  # expect: KW102\n    return " + "(" * 150 + "x" + " + 1)" * 150 + "\n"
LIVE = "from generated import sums\n\n\ndef main():  # expect: KW102\n    return sums.total(1)\n\n\ndef unused():  # expect: KW102\n    return 1\n"


def test_too_deep_files_are_reported_once_each_and_the_run_goes_on(tmp_path):
    files = {f"generated/{name}.py": f"# generated  # expect: KW000\n{code}\n" for name, code in DEEP.items()}
    root = make_project(tmp_path, {**files, "generated/__init__.py": "", "generated/brackets.py": BRACKETS,
                                   "generated/shallower.py": SHALLOWER, "app.py": LIVE})

    code, report, stderr = check_json(root)

    assert code == 1 and "Traceback" not in stderr, stderr
    assert report["summary"]["files"] == len(files) + 4
    assert actual_findings(report["findings"], with_severity=False) == expected_findings(root)
    # a file Python refuses names the bracket limit; the others the recursion limit, in one wording
    messages = {f["path"]: f["message"] for f in report["findings"] if f["rule"] == "KW000"}
    assert "too many nested parentheses" in messages.pop("generated/brackets.py")
    assert all(m.endswith("code nested too deeply to analyse") for m in messages.values()), messages


def test_code_the_compiler_accepts_is_analysed_however_deep(tmp_path):
    # 2,000 levels: past the interpreter's default recursion limit, within what CPython compiles; the
    # call at the bottom of each chain is an edge, and no file is reported as too deep
    depth = 2000
    files = {
        "deep/sums.py": "def helper():\n    return 1\n\n\ndef unused():  # expect: KW102\n    return 2\n\n\n"
                        "value = helper() + " + " + ".join(["1"] * depth) + "\n",
        "deep/picks.py": "def chosen(a):\n    return a\n\n\ndef pick(a):\n    return "
                         + " if a else ".join(["a"] * depth) + " if a else chosen(a)\n\n\nresult = pick(1)\n",
        "deep/__init__.py": "",
    }
    root = make_project(tmp_path, files)

    code, report, stderr = check_json(root)

    assert code == 1 and "Traceback" not in stderr, stderr
    assert actual_findings(report["findings"], with_severity=False) == expected_findings(root)
