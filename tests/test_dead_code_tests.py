"""Tests are users (issue 14): code the project's own tests use is not dead code. Tests that are
analysed are entry points into the call graph (so a same-named method they never call stays dead);
test files that are not analysed count by the names their code uses. `dead-code-tests = "ignore"`
gives the old verdict: only the entry points count, and code only tests name is reported at 20%."""

from __future__ import annotations

import json

from click.testing import CliRunner
from expectations import actual_findings, expected_findings
from projects import check_json, make_project

from knightwatch.cli import main

# a weather station's readings pipeline; its tests are not analysed (source is the package only),
# some of them live where pytest's `testpaths` says, under a name no test pattern matches
METEO_CONFIG = """[tool.pytest.ini_options]
testpaths = ["tests", "checks"]

[tool.knightwatch]
source = ["meteo"]
entry-points = ["meteo.cli:main"]
"""

METEO = {
    "meteo/__init__.py": "",
    "meteo/cli.py": '''
        import sys

        from meteo.station import Station


        def main(argv=None):
            station = Station.from_args(argv or sys.argv[1:])
            for reading in station.poll():
                print(reading)
    ''',
    "meteo/station.py": '''
        from dataclasses import dataclass, field

        from meteo import units


        @dataclass
        class Station:
            name: str
            sensors: list = field(default_factory=list)

            @classmethod
            def from_args(cls, args):
                return cls(args[0] if args else "roof")

            def poll(self):
                yield from (s() for s in self.sensors)

            def drift(self, reference):
                return [units.delta(r, reference) for r in self.poll()]

            def rename(self, name):  # expect: KW102 low
                self.name = name
    ''',
    "meteo/units.py": '''
        def celsius_to_kelvin(c):
            return _shift(c, 273.15)


        def _shift(value, by):
            return value + by


        def delta(a, b):
            return abs(a - b)


        def kelvin_to_rankine(k):  # expect: KW102 low
            return k * 1.8
    ''',
    "meteo/archive.py": '''
        import gzip


        def compact(rows):
            return gzip.compress("\\n".join(map(str, rows)).encode())
    ''',
    "meteo/legacy.py": '''
        def fahrenheit(c):
            return c * 9 / 5 + 32
    ''',
    "meteo/orphan.py": '''
        # expect: KW102 low
        def hourly(rows):
            return rows[::60]
    ''',
    "tests/test_units.py": '''
        import pytest

        from meteo import legacy
        from meteo.units import celsius_to_kelvin


        # kelvin_to_rankine is not tested: a comment is not a use
        def test_freezing():
            assert celsius_to_kelvin(0) == pytest.approx(273.15)
            assert legacy.fahrenheit(100) == 212
            assert "kelvin_to_rankine is not called here"
    ''',
    "tests/conftest.py": '''
        import pytest

        from meteo.station import Station


        @pytest.fixture
        def station():
            return Station("lab", [lambda: 1.0])
    ''',
    "tests/test_station.py": '''
        def test_drift(station):
            assert station.drift(1.0) == [0.0]


        class TestNames:
            rename = "roof"  # the test's own attribute: reading it is no use of Station.rename

            def test_default(self, station):
                assert self.rename != station.name
    ''',
    "checks/verify_archive.py": '''
        from unittest import mock


        def check_compact():
            with mock.patch("meteo.archive.compact") as compact:
                compact([1, 2])
    ''',
}

# a library's loan desk; its tests ARE analysed (source names them), so they are entry points
SHELF_CONFIG = """[tool.knightwatch]
source = ["shelf", "tests"]
entry-points = ["shelf.desk:open_desk"]
"""

SHELF = {
    "shelf/__init__.py": "",
    "shelf/desk.py": '''
        from shelf.loans import Loan, Reservation


        def open_desk(catalogue):
            holds = [Reservation(title).place() for title in catalogue]
            return [Loan(title) for title in holds]
    ''',
    "shelf/loans.py": '''
        import datetime as dt


        class Loan:
            PERIOD = dt.timedelta(days=21)

            def __init__(self, title):
                self.title = title
                self.due = dt.date.today() + self.PERIOD

            def renew(self):
                self.due += self._extension()
                return self.due

            def _extension(self):
                return self.PERIOD


        class Reservation:
            def __init__(self, title):
                self.title = title

            def place(self):
                return self.title

            def renew(self):  # expect: KW102 low
                return self.title
    ''',
    "shelf/fines.py": '''
        RATE = 0.25


        def overdue_fine(days):
            return max(days, 0) * RATE


        def waive(fine):  # expect: KW102 low
            return 0
    ''',
    "tests/__init__.py": "",
    "tests/helpers.py": '''
        from shelf.fines import overdue_fine


        def fine_for_a_week():
            return overdue_fine(7)
    ''',
    "tests/test_loans.py": '''
        from shelf.loans import Loan
        from tests.helpers import fine_for_a_week


        def test_renew_moves_the_due_date():
            loan = Loan("Dune")
            first = loan.due
            assert loan.renew() > first


        def test_fine():
            assert fine_for_a_week() == 1.75
    ''',
}


def _findings(root, *args) -> dict[str, int]:
    status, report, err = check_json(root, "--select", "KW102", *args)
    assert not err, err
    return report


def test_code_the_unanalysed_tests_use_is_alive(tmp_path):
    root = make_project(tmp_path / "meteo", METEO, METEO_CONFIG)
    report = _findings(root)
    expected, actual = expected_findings(root), actual_findings(report["findings"])
    assert expected == actual, f"missing: {sorted(expected - actual)}\nunexpected: {sorted(actual - expected)}"


def test_ignore_reports_code_only_the_tests_use_at_20_percent(tmp_path):
    root = make_project(tmp_path / "meteo", METEO, METEO_CONFIG + 'dead-code-tests = "ignore"\n')
    found = {f["symbol"]: f["properties"]["confidence"] for f in _findings(root)["findings"]}
    assert found == {
        "meteo.station.Station.drift": 20, "meteo.station.Station.rename": 100,
        "meteo.units.celsius_to_kelvin": 20, "meteo.units._shift": 20,  # only 20% findings call these
        "meteo.units.delta": 20,
        "meteo.units.kelvin_to_rankine": 100, "meteo.archive": 20, "meteo.legacy": 20, "meteo.orphan": 100}


def test_analysed_tests_are_entry_points_not_names(tmp_path):
    root = make_project(tmp_path / "shelf", SHELF, SHELF_CONFIG)
    report = _findings(root)
    expected, actual = expected_findings(root), actual_findings(report["findings"])
    assert expected == actual, f"missing: {sorted(expected - actual)}\nunexpected: {sorted(actual - expected)}"
    ignored = make_project(tmp_path / "shelf-ignore", SHELF, SHELF_CONFIG + 'dead-code-tests = "ignore"\n')
    found = {f["symbol"]: f["properties"]["confidence"] for f in _findings(ignored)["findings"]}
    assert found == {  # what only the tests use, and the tests themselves
        "shelf.fines": 100, "shelf.loans.Loan.renew": 80, "shelf.loans.Loan._extension": 80,
        "shelf.loans.Reservation.renew": 80, "tests": 100, "tests.helpers": 100, "tests.test_loans": 100}


def test_a_bad_switch_is_a_one_line_error(tmp_path):
    root = make_project(tmp_path / "meteo", METEO, METEO_CONFIG + 'dead-code-tests = "count"\n')
    status, _, err = check_json(root, "--select", "KW102")
    assert status == 2 and err.strip().endswith("'dead-code-tests' must be users or ignore")
    assert len(err.strip().splitlines()) == 1


def test_a_stored_run_is_not_replayed_once_a_test_file_changes(tmp_path):
    root = make_project(tmp_path / "meteo", METEO, METEO_CONFIG)
    args = ["check", str(root), "--format", "json", "--select", "KW102", "--cache-dir", str(tmp_path / "cache")]

    def dead() -> set[str]:
        result = CliRunner().invoke(main, args)
        return {f["symbol"] for f in json.loads(result.stdout)["findings"]}
    assert "meteo.units.kelvin_to_rankine" in dead()
    test = root / "tests" / "test_units.py"
    test.write_text(test.read_text() + "\n\ndef test_rankine():\n    from meteo.units import kelvin_to_rankine\n")
    assert "meteo.units.kelvin_to_rankine" not in dead()
