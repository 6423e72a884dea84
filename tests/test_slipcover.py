"""SlipCover JSON reports as host data files, next to coverage.py data: real runs of both."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from knightwatch.production.coverage_join import host_name, load_coverage
from projects import check_json, make_project, run_hosts

pytest.importorskip("slipcover")

FILES = {
    "ledger/__init__.py": '"""A small ledger service."""\n',
    "ledger/book.py": '''
        """Postings."""


        def post(entries, amount):
            entries.append(amount)
            return sum(entries)


        def reverse(entries):
            return entries.pop()
        ''',
    "ledger/cli.py": '''
        """Entry point: posts two amounts."""

        from ledger import book


        def main():
            entries = []
            for amount in (5, 7):
                book.post(entries, amount)
            if len(entries) > 5:  # never in production
                book.reverse(entries)
            return entries


        if __name__ == "__main__":
            main()
        ''',
}
CONFIG = """
    [tool.knightwatch]
    source = ["ledger"]
    entry-points = ["ledger.cli:main"]
    coverage = ["prodcov/.coverage.*", "prodcov/*.json"]
    """


def _slipcover_host(root: Path, host: str) -> Path:
    """Run the ledger under SlipCover from a deploy copy, writing ROOT/prodcov/<host>.json."""
    deploy = root.parent / f"deploy-{host}"
    shutil.copytree(root / "ledger", deploy / "ledger")
    (deploy / "run.py").write_text("from ledger import cli\ncli.main()\n")
    out = root / "prodcov" / f"{host}.json"
    subprocess.run([sys.executable, "-m", "slipcover", "--source", "ledger", "--json", "--out", str(out), "run.py"],
                   cwd=deploy, check=True, capture_output=True, timeout=120)
    return out


@pytest.fixture(scope="module")
def ledger(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("ledger") / "proj", FILES, CONFIG)
    run_hosts(root, "ledger", "ledger.cli", {"ldn-1": [], "ldn-2": []})
    _slipcover_host(root, "ldn-3")
    return root


def test_a_slipcover_host_joins_as_line_data(ledger):
    sources = {rel: (ledger / rel).read_text() for rel in FILES}
    files = sorted((ledger / "prodcov").glob("*"))
    assert [host_name(p) for p in files] == ["ldn-1", "ldn-2", "ldn-3"]
    join = load_coverage(files, ledger, sources)
    assert join.hosts == ["ldn-1", "ldn-2", "ldn-3"] and not join.has_arcs
    body = {i for i, line in enumerate(sources["ledger/book.py"].splitlines(), 1) if "entries.append" in line}
    assert join.hosts_running("ledger/book.py", body) == {"ldn-1", "ldn-2", "ldn-3"}
    assert [p.kind for p in join.problems] == ["mixed"]  # branch data from coverage.py, lines from SlipCover


def test_a_function_no_host_ran_is_dormant_with_a_slipcover_host(ledger):
    _, report, _ = check_json(ledger, "--select", "KW101")
    assert [(f["path"], f["message"].split(" is ")[0]) for f in report["findings"]] == \
        [("ledger/book.py", "function ledger.book.reverse")]
    assert "of 3 hosts" in report["findings"][0]["message"]


@pytest.mark.parametrize("content, says", [
    ({"meta": {"software": "other"}, "files": {}}, "not a coverage.py data file or SlipCover report"),
    ({"meta": {"software": "slipcover"}, "files": {"ledger/book.py": {"executed_lines": "1-3"}}},
     "executed_lines is not a list of line numbers"),
])
def test_a_json_file_that_is_not_a_usable_report_is_one_line(ledger, tmp_path, content, says):
    root = tmp_path / "proj"
    shutil.copytree(ledger, root)
    (root / "prodcov" / "ldn-9.json").write_text(json.dumps(content))
    code, report, err = check_json(root, "--select", "KW101")
    assert code == 2 and says in err and "ldn-9" in err and "Traceback" not in err
