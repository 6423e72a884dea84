"""The committed production coverage of each fixture is exactly what its generator script records."""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path, PurePath

import pytest
from coverage import CoverageData

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"


@dataclass(frozen=True)
class Fixture:
    """A fixture project with recorded production coverage."""

    name: str  # fixture directory and package name
    script: str  # generator under fixtures/
    hosts: tuple[str, ...]
    deployed: str  # what every recorded path holds, with {host}
    measured: str  # a module every host imports
    minority: tuple[str, str, str]  # (module, function, the one host that ran it)

    @property
    def root(self) -> Path:
        return FIXTURES / self.name

    @property
    def committed(self) -> Path:
        return self.root / "prodcov"


SMARS = Fixture("smars", "generate_coverage.py", tuple(f"nyc-smars-{n:02d}" for n in range(1, 9)),
                "/deploy/{host}/releases/", "router.py", ("legacy/power_peg.py", "execute", "nyc-smars-08"))
HALYARD = Fixture("halyard", "generate_halyard_coverage.py", tuple(f"ld4-halyard-{n:02d}" for n in range(1, 6)),
                  "/srv/halyard/{host}/", "engine.py", ("hedgers/sweep.py", "hedge", "ld4-halyard-05"))
ALL = [SMARS, HALYARD]
HOSTS = [pytest.param(f, host, id=host) for f in ALL for host in f.hosts]


def package_relpath(measured: str, package: str) -> str:
    """A measured path relative to the PACKAGE root, e.g. 'legacy/power_peg.py'."""
    parts = PurePath(measured).parts
    root = max(n for n, part in enumerate(parts) if part == package)
    return "/".join(parts[root + 1 :])


def read(data_file: Path) -> CoverageData:
    data = CoverageData(basename=str(data_file))
    data.read()
    return data


def runs(data_file: Path, package: str) -> dict[str, tuple[frozenset[int], frozenset[tuple[int, int]]]]:
    """Per analysed file: the lines and arcs one host executed."""
    data = read(data_file)
    return {
        package_relpath(f, package): (frozenset(data.lines(f) or ()), frozenset(data.arcs(f) or ()))
        for f in data.measured_files()
    }


def function_body_lines(path: Path, name: str) -> set[int]:
    """Lines of the statements inside the module's functions called NAME (what importing it does not run)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == name]
    return {stmt.lineno for fn in functions for node in fn.body for stmt in ast.walk(node) if isinstance(stmt, ast.stmt)}


@pytest.fixture(scope="module", params=ALL, ids=lambda f: f.name)
def regenerated(request, tmp_path_factory) -> tuple[Fixture, Path]:
    fixture = request.param
    out = tmp_path_factory.mktemp(f"prodcov-{fixture.name}")
    subprocess.run([sys.executable, str(FIXTURES / fixture.script), "--out", str(out)], check=True,
                   capture_output=True, timeout=120)
    return fixture, out


@pytest.mark.parametrize("fixture", ALL, ids=lambda f: f.name)
def test_committed_data_files_are_the_hosts(fixture):
    assert sorted(p.name for p in fixture.committed.iterdir()) == [f".coverage.{host}" for host in fixture.hosts]


def test_regenerated_equals_committed(regenerated):
    fixture, out = regenerated
    for host in fixture.hosts:
        fresh = runs(out / f".coverage.{host}", fixture.name)
        assert fresh == runs(fixture.committed / f".coverage.{host}", fixture.name), host
        assert fixture.measured in fresh


def test_smars_never_imports_the_fix42_bridge():
    for host in SMARS.hosts:
        assert "legacy/fix42_bridge.py" not in runs(SMARS.committed / f".coverage.{host}", "smars")


@pytest.mark.parametrize(("fixture", "host"), HOSTS)
def test_recorded_on_the_host_not_in_the_repo(fixture, host):
    for measured in read(fixture.committed / f".coverage.{host}").measured_files():
        assert fixture.deployed.format(host=host) in PurePath(measured).as_posix()
        assert not PurePath(measured).is_relative_to(fixture.root)


@pytest.mark.parametrize("fixture", ALL, ids=lambda f: f.name)
def test_all_hosts_recorded_branches(fixture):
    assert all(read(fixture.committed / f".coverage.{host}").has_arcs() for host in fixture.hosts)


@pytest.mark.parametrize("fixture", ALL, ids=lambda f: f.name)
def test_only_the_straggler_ran_the_legacy_code(fixture):
    module, function, straggler = fixture.minority
    body = function_body_lines(fixture.root / fixture.name / module, function)
    ran = {host for host in fixture.hosts
           if runs(fixture.committed / f".coverage.{host}", fixture.name)[module][0] & body}
    assert ran == {straggler}


@pytest.mark.parametrize("fixture", ALL, ids=lambda f: f.name)
def test_bad_out_is_one_line_error(fixture, tmp_path):
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("")
    done = subprocess.run([sys.executable, str(FIXTURES / fixture.script), "--out", str(not_a_dir)],
                          capture_output=True, text=True)
    assert done.returncode == 1
    assert done.stderr.strip() == f"generate_coverage: --out {not_a_dir}: not a directory"
