"""The committed SMARS production coverage is exactly what `fixtures/generate_coverage.py` records."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path, PurePath

import pytest
from coverage import CoverageData

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "fixtures" / "generate_coverage.py"
FIXTURE = ROOT / "fixtures" / "smars"
COMMITTED = FIXTURE / "prodcov"
HOSTS = [f"nyc-smars-{n:02d}" for n in range(1, 9)]

Runs = dict[str, tuple[frozenset[int], frozenset[tuple[int, int]]]]


def package_relpath(measured: str) -> str:
    """A measured path relative to the `smars` package root, e.g. 'legacy/power_peg.py'."""
    parts = PurePath(measured).parts
    root = max(n for n, part in enumerate(parts) if part == "smars")
    return "/".join(parts[root + 1 :])


def read(data_file: Path) -> CoverageData:
    data = CoverageData(basename=str(data_file))
    data.read()
    return data


def runs(data_file: Path) -> Runs:
    """Per analysed file: the lines and arcs one host executed."""
    data = read(data_file)
    return {
        package_relpath(f): (frozenset(data.lines(f) or ()), frozenset(data.arcs(f) or ()))
        for f in data.measured_files()
    }


def function_body_lines(path: Path) -> set[int]:
    """Lines of the statements inside the module's functions (what importing it does not run)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    return {stmt.lineno for fn in functions for node in fn.body for stmt in ast.walk(node) if isinstance(stmt, ast.stmt)}


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("prodcov")
    subprocess.run([sys.executable, str(SCRIPT), "--out", str(out)], check=True, capture_output=True, timeout=120)
    return out


def test_committed_data_files_are_the_eight_hosts():
    assert sorted(p.name for p in COMMITTED.iterdir()) == [f".coverage.{host}" for host in HOSTS]


@pytest.mark.parametrize("host", HOSTS)
def test_regenerated_equals_committed(regenerated, host):
    fresh = runs(regenerated / f".coverage.{host}")
    assert fresh == runs(COMMITTED / f".coverage.{host}")
    assert "router.py" in fresh and "legacy/fix42_bridge.py" not in fresh


@pytest.mark.parametrize("host", HOSTS)
def test_recorded_on_the_host_not_in_the_repo(host):
    for measured in read(COMMITTED / f".coverage.{host}").measured_files():
        assert f"/deploy/{host}/releases/" in PurePath(measured).as_posix()
        assert not PurePath(measured).is_relative_to(FIXTURE)


def test_all_hosts_recorded_branches():
    assert all(read(COMMITTED / f".coverage.{host}").has_arcs() for host in HOSTS)


def test_only_the_missed_server_ran_power_peg():
    body = function_body_lines(FIXTURE / "smars" / "legacy" / "power_peg.py")
    ran = {host for host in HOSTS if runs(COMMITTED / f".coverage.{host}")["legacy/power_peg.py"][0] & body}
    assert ran == {"nyc-smars-08"}


def test_bad_out_is_one_line_error(tmp_path):
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("")
    done = subprocess.run([sys.executable, str(SCRIPT), "--out", str(not_a_dir)], capture_output=True, text=True)
    assert done.returncode == 1
    assert done.stderr.strip() == f"generate_coverage: --out {not_a_dir}: not a directory"
