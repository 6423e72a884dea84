"""Bad production coverage through the CLI: each problem is named on one line, the run exits 2 when
its coverage cannot be trusted, never a traceback, and the other hosts' data is still used. A problem
that does not stop the run is a one-line warning on stderr (a CI log shows it) and a report note.

What is safe: a host whose data file is unusable (damaged, not coverage.py's, empty) or of which
nothing joins the analysed files is left out altogether (exit 2), so it is never counted as a host
that ran nothing; data that contradicts the analysed text is refused for that host and file only,
and line-only data mixed with branch data keeps every host's lines (warnings, the usual exit code).
"""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest
from click.testing import CliRunner
from coverage import CoverageData

from knightwatch.cli import main

HOSTS = [f"nyc-smars-0{i}" for i in range(1, 9)]
ROUTER = "smars/router.py"


@pytest.fixture
def smars(tmp_path, smars_dir):
    root = tmp_path / "smars"
    shutil.copytree(smars_dir, root, ignore=shutil.ignore_patterns(".knightwatch_cache", "__pycache__"))
    return root


def _data(root, host: str) -> CoverageData:
    data = CoverageData(basename=str(root / "prodcov" / f".coverage.{host}"))
    data.read()
    return data


def _rewrite(root, host: str, arcs: dict | None = None, lines: dict | None = None) -> None:
    path = root / "prodcov" / f".coverage.{host}"
    path.unlink(missing_ok=True)
    data = CoverageData(basename=str(path))
    if arcs is not None:
        data.add_arcs(arcs)
    if lines is not None:
        data.add_lines(lines)
    data.write()


def _run(root) -> tuple[int, dict, list[str]]:
    out = root / "report.json"
    result = CliRunner().invoke(main, ["check", str(root), "--no-cache", "--format", "json", "-o", str(out)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.stderr
    return result.exit_code, json.loads(out.read_text()), result.stderr.splitlines()


def _drift(report) -> str:
    """The Power Peg branch's deployment-drift message."""
    (f,) = [f for f in report["findings"] if f["rule"] == "KW401" and "'routing.mode-7'" in f["message"]]
    return f["message"]


def _truncate(path):
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 3])


def _garbage(path):
    path.write_bytes(b"\x00not a database\xff" * 500)


def _foreign_sqlite(path):
    path.unlink()
    with sqlite3.connect(path) as db:
        db.execute("create table trades (id integer, qty integer)")
        db.execute("insert into trades values (1, 100)")


def _empty(path):
    path.write_bytes(b"")


@pytest.mark.parametrize("damage, says", [
    (_truncate, "cannot read coverage data"),
    (_garbage, "cannot read coverage data"),
    (_foreign_sqlite, "not a coverage.py data file"),
    (_empty, "empty"),
])
def test_unusable_data_file_is_an_error_and_the_other_hosts_still_count(smars, damage, says):
    damage(smars / "prodcov" / ".coverage.nyc-smars-03")

    code, report, stderr = _run(smars)

    assert code == 2
    assert len(stderr) == 1 and stderr[0].startswith("knightwatch: error: prodcov/.coverage.nyc-smars-03: ")
    assert says in stderr[0] and stderr[0].endswith("host nyc-smars-03 ignored")
    assert report["summary"]["hosts"] == [h for h in HOSTS if h != "nyc-smars-03"]
    assert "ran on 1 of 7 hosts (nyc-smars-08)" in _drift(report)  # the Power Peg host is still seen


def test_paths_that_match_nothing_leave_that_host_out(smars):
    _rewrite(smars, "nyc-smars-09", lines={"/opt/elsewhere/svc/thing.py": [1, 2, 3]})

    code, report, stderr = _run(smars)

    assert code == 2
    assert len(stderr) == 1 and "prodcov/.coverage.nyc-smars-09" in stderr[0]
    assert "match no analysed file (e.g. /opt/elsewhere/svc/thing.py)" in stderr[0]
    assert "[tool.knightwatch.paths]" in stderr[0]
    assert report["summary"]["hosts"] == HOSTS  # not counted as a ninth host that ran nothing
    assert "ran on 1 of 8 hosts" in _drift(report)


def test_some_unmatched_files_are_a_warning(smars):
    data = _data(smars, "nyc-smars-02")
    arcs = {name: data.arcs(name) for name in data.measured_files()}
    arcs["/usr/lib/python3/site-packages/requests/api.py"] = [(-1, 1), (1, -1)]
    _rewrite(smars, "nyc-smars-02", arcs=arcs)

    code, report, stderr = _run(smars)

    assert code == 1
    (note,) = [n for n in report["notes"] if "host nyc-smars-02: 1 measured file(s) match no analysed file" in n]
    assert stderr == [f"knightwatch: warning: {note}"]
    assert report["summary"]["hosts"] == HOSTS


def test_line_data_mixed_with_branch_data_uses_every_hosts_lines(smars):
    data = _data(smars, "nyc-smars-05")
    _rewrite(smars, "nyc-smars-05", lines={name: data.lines(name) for name in data.measured_files()})

    code, report, stderr = _run(smars)

    assert code == 1
    (note,) = [n for n in report["notes"] if "mixed" in n]
    assert stderr == [f"knightwatch: warning: {note}"]
    assert "line-only data (hosts nyc-smars-05) mixed with branch data" in note
    assert report["summary"]["hosts"] == HOSTS
    assert "ran on 1 of 8 hosts (nyc-smars-08)" in _drift(report)


def test_data_from_a_different_source_version_is_refused_for_that_file(smars):
    comment = next(i for i, line in enumerate((smars / ROUTER).read_text().splitlines(), 1)
                   if line.strip().startswith("#") or not line.strip())
    data = _data(smars, "nyc-smars-06")
    arcs = {name: data.arcs(name) for name in data.measured_files()}
    router = next(name for name in arcs if name.endswith("/" + ROUTER))
    arcs[router] = arcs[router] + [(comment, comment + 1)]
    _rewrite(smars, "nyc-smars-06", arcs=arcs)

    code, report, stderr = _run(smars)

    assert code == 1
    (note,) = [n for n in report["notes"] if "different version" in n]
    assert stderr == [f"knightwatch: warning: {note}"]
    assert f"host nyc-smars-06 ran a different version of {ROUTER}: line {comment} executed but it is blank" in note
    assert report["summary"]["hosts"] == HOSTS
    # counted among the hosts whose data says they ran the enclosing function: 06's was refused
    assert "ran on 1 of 7 hosts (nyc-smars-08)" in _drift(report)
    assert any(f["rule"] == "KW401" and f["path"] == ROUTER and "nyc-smars-06 ran a different version" in f["message"]
               for f in report["findings"])


def test_coverage_pattern_matching_no_file_is_an_error(smars):
    result = CliRunner().invoke(main, ["check", str(smars), "--no-cache", "--coverage", "nowhere/.coverage.*"])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"knightwatch: error: coverage data 'nowhere/.coverage.*' matches no file (relative to {smars})"]


def test_a_replayed_run_warns_as_the_run_it_replays(smars, tmp_path):
    data = _data(smars, "nyc-smars-05")
    _rewrite(smars, "nyc-smars-05", lines={name: data.lines(name) for name in data.measured_files()})
    args = ["check", str(smars), "--cache-dir", str(tmp_path / "cache"), "--format", "json"]

    first, again = CliRunner().invoke(main, args), CliRunner().invoke(main, args)

    assert first.stderr.startswith("knightwatch: warning: ") and "mixed with branch data" in first.stderr
    assert (again.exit_code, again.stdout, again.stderr) == (first.exit_code, first.stdout, first.stderr)
