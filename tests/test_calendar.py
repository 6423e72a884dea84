"""Calendar-aware dormancy on fixtures/rebalancer: two hosts really run the rebalancer under coverage.py
over a range of days; whether its month-end, quarter-end, option-expiry, index-rebalance and holiday
paths count as dormant (KW101) or as not yet observed depends on whether the event fell in the hosts'
coverage windows (from the data files' dates or the configuration). Also the event dates themselves
and the configuration's errors."""

from __future__ import annotations

import ast
import datetime as dt
import json
import textwrap
import os
from pathlib import Path

import pytest

from expectations import actual_findings, expected_findings
from projects import check_json, run_hosts
from knightwatch.production.calendar import Calendar, Event
from knightwatch.production.event_code import _Finder
from test_suppressions import run, scratch_fixture

REBALANCER = Path(__file__).resolve().parent.parent / "fixtures" / "rebalancer"
HOSTS = ("ldn-rebal-1", "ldn-rebal-2")
LEGACY = ("rebal/book.py", 40)  # legacy_margin_call: dormant whatever the calendar says
EXPIRY = "calendar: not yet observed: option-expiry"


def _written(root: Path, day: str) -> None:
    """Date the hosts' data files as written at 18:00 UTC on DAY (their window ends then)."""
    stamp = dt.datetime.fromisoformat(f"{day}T18:00:00+00:00").timestamp()
    for host in HOSTS:
        os.utime(root / "prodcov" / f".coverage.{host}", (stamp, stamp))


def _hosts_ran(root: Path, first: str, last: str) -> Path:
    run_hosts(root, "rebal", "rebal.main", {host: [first, last] for host in HOSTS})
    _written(root, last)
    return root


@pytest.fixture(scope="module")
def first_half(tmp_path_factory) -> Path:
    """Both hosts ran 2 to 16 November 2026: no month-end, expiry (20th), holiday (26th) or rebalance."""
    root = scratch_fixture(REBALANCER, tmp_path_factory.mktemp("cal") / "rebalancer")
    return _hosts_ran(root, "2026-11-02", "2026-11-16")


@pytest.fixture(scope="module")
def whole_month(tmp_path_factory) -> Path:
    """Both hosts ran every day of November 2026: all but the quarter-end and the index rebalance."""
    root = scratch_fixture(REBALANCER, tmp_path_factory.mktemp("cal") / "rebalancer")
    return _hosts_ran(root, "2026-11-02", "2026-11-30")


def _calendar_notes(report: dict) -> list[str]:
    return [n for n in report["notes"] if n.startswith("calendar:")]


def _kw101(report: dict) -> list[tuple[str, int]]:
    return sorted((f["path"], f["line"]) for f in report["findings"] if f["rule"] == "KW101")


def test_window_without_the_events_leaves_their_code_not_yet_observed(first_half):
    code, report, err = check_json(first_half)
    assert code == 1, err
    expected, actual = expected_findings(first_half), actual_findings(report["findings"])
    assert actual == expected, f"missing: {sorted(expected - actual)}\nunexpected: {sorted(actual - expected)}"
    window = "fell on no day of the coverage window (2026-11-02 to 2026-11-16)"
    assert _calendar_notes(report) == [
        f"calendar: not yet observed: month-end (the last business day of each month) {window}: "
        "rebal.book.close_month (and 1 function(s) only they reach); next observable 2026-11-30",
        f"calendar: not yet observed: quarter-end (the last business day of March, June, September and December) "
        f"{window}: rebal.report.performance; next observable 2026-12-31",
        f"{EXPIRY} (the third Friday of each month (the business day before, if a holiday)) {window}: "
        "rebal.book.roll_options; next observable 2026-11-20",
        f"calendar: not yet observed: index-rebalance (on 3 listed date(s)) {window}: rebal.index.reconstitute; "
        "next observable 2026-12-18",
        f"calendar: not yet observed: exchange-holiday (on 2 listed date(s)) {window}: rebal.book.mark_closed; "
        "next observable 2026-11-26",
    ]


def test_without_a_calendar_every_event_path_looks_dormant(first_half, tmp_path):
    root = scratch_fixture(first_half, tmp_path / "plain")
    config = root / "pyproject.toml"
    config.write_text(config.read_text().split("[tool.knightwatch.calendar]")[0])
    code, report, _ = check_json(root)
    assert code == 1 and not _calendar_notes(report)
    assert _kw101(report) == [("rebal/book.py", 22), ("rebal/book.py", 26), ("rebal/book.py", 35), LEGACY,
                              ("rebal/index.py", 10), ("rebal/report.py", 12)]


def test_a_window_that_includes_the_events_judges_their_code(first_half, tmp_path):
    """The same data, said to cover all of November: month-end, expiry and the holiday fell in it and
    their code still never ran, so it is dormant; the quarter-end and the rebalance are still ahead."""
    root = scratch_fixture(first_half, tmp_path / "claimed")
    config = root / "pyproject.toml"
    config.write_text(config.read_text() + '\n[tool.knightwatch.calendar.windows]\n"ldn-rebal-*" = '
                      '["2026-11-02", "2026-11-30"]\n')
    code, report, _ = check_json(root)
    assert code == 1
    assert _kw101(report) == [("rebal/book.py", 22), ("rebal/book.py", 26), ("rebal/book.py", 35), LEGACY]
    notes = _calendar_notes(report)
    assert [n.split(" (")[0] for n in notes] == ["calendar: not yet observed: quarter-end",
                                                  "calendar: not yet observed: index-rebalance"]
    assert notes[1].endswith("(2026-11-02 to 2026-11-30): rebal.index.reconstitute; next observable 2026-12-18")


def test_hosts_that_lived_through_the_events_ran_their_code(whole_month):
    code, report, _ = check_json(whole_month)
    assert code == 1
    expected, actual = expected_findings(whole_month), actual_findings(report["findings"])
    assert actual == expected, f"missing: {sorted(expected - actual)}\nunexpected: {sorted(actual - expected)}"
    # the window is the 15 days up to the files' date: 16 to 30 November
    assert [n.split(": rebal")[0] for n in _calendar_notes(report)] == [
        "calendar: not yet observed: quarter-end (the last business day of March, June, September and December) "
        "fell on no day of the coverage window (2026-11-16 to 2026-11-30)",
        "calendar: not yet observed: index-rebalance (on 3 listed date(s)) fell on no day of the coverage window "
        "(2026-11-16 to 2026-11-30)"]


def test_a_short_window_by_file_date_can_miss_what_ran_earlier(whole_month, tmp_path):
    """Data written on 2 December with a 1-day window: the events of November are outside it, and
    code they ran is simply not dormant (it ran); only never-run code is ever held back."""
    root = scratch_fixture(whole_month, tmp_path / "late")
    config = root / "pyproject.toml"
    config.write_text(config.read_text().replace("window-days = 15", "window-days = 1"))
    _written(root, "2026-12-02")
    code, report, _ = check_json(root)
    assert code == 1 and _kw101(report) == [LEGACY]
    assert [n.split(" (")[0] for n in _calendar_notes(report)] == [
        "calendar: not yet observed: month-end", "calendar: not yet observed: quarter-end", EXPIRY,
        "calendar: not yet observed: index-rebalance", "calendar: not yet observed: exchange-holiday"]
    assert "no never-run code is tied to it; next observable 2026-12-31" in _calendar_notes(report)[0]


def test_event_days():
    cal = Calendar(holidays=(dt.date(2026, 6, 19), dt.date(2026, 12, 31)))
    month_end, quarter_end, expiry = (Event(r, rule=r) for r in ("month-end", "quarter-end", "third-friday"))
    year = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert cal.days(month_end, *year)[:3] == [dt.date(2026, 1, 30), dt.date(2026, 2, 27), dt.date(2026, 3, 31)]
    assert cal.days(month_end, *year)[-1] == dt.date(2026, 12, 30)  # the 31st is a holiday here
    assert cal.days(quarter_end, *year) == [dt.date(2026, 3, 31), dt.date(2026, 6, 30), dt.date(2026, 9, 30),
                                           dt.date(2026, 12, 30)]
    expiries = cal.days(expiry, *year)
    assert len(expiries) == 12 and dt.date(2026, 6, 18) in expiries  # Juneteenth: expiry the Thursday before
    assert all(d.weekday() == 4 and 15 <= d.day <= 21 for d in expiries if d.month != 6)
    assert cal.next_after(expiry, dt.date(2026, 11, 20)) == dt.date(2026, 12, 18)
    rebalance = Event("rebalance", dates=(dt.date(2026, 12, 18),))
    assert cal.next_after(rebalance, dt.date(2026, 12, 18)) is None


@pytest.mark.parametrize("table, message", [
    ('[tool.knightwatch.calendar.events.x]\nrule = "month-start"\nfunctions = ["a.b"]\n',
     "'rule' must be one of month-end, quarter-end, third-friday, not 'month-start'"),
    ('[tool.knightwatch.calendar.events.x]\nrule = "month-end"\n',
     "ties no code to the event: give 'functions', 'decorators' or 'conditions'"),
    ('[tool.knightwatch.calendar.events.x]\ndates = ["2026-13-01"]\nfunctions = ["a.b"]\n',
     "'2026-13-01' is not a date (write 2026-11-30)"),
    ('[tool.knightwatch.calendar.events.x]\nrule = "month-end"\ndates = [2026-11-30]\nfunctions = ["a"]\n',
     "needs either a 'rule' or a list of 'dates' (not both)"),
    ('[tool.knightwatch.calendar.windows]\nhost-1 = [2026-11-30, 2026-11-01]\n',
     "the first day 2026-11-30 is after the last day 2026-11-01"),
    ('[tool.knightwatch.calendar]\nwindow-days = 0\n', "'window-days' must be a positive number of days"),
    ('[tool.knightwatch.calendar]\nevents = 3\n', "[tool.knightwatch.calendar] 'events' must be a table"),
])
def test_bad_calendar_configuration_is_one_clear_line(tmp_path, table, message):
    (tmp_path / "m.py").write_text("x = 1\n")
    (tmp_path / "pyproject.toml").write_text(f"[tool.knightwatch]\nsource = ['m.py']\n{table}")
    code, out, err = run("check", str(tmp_path), "--no-cache")
    assert code == 2 and message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_audit_says_when_waiting_code_can_next_be_observed(first_half, tmp_path):
    out = tmp_path / "audit.md"
    code, _, err = run("audit", str(first_half), "--format", "markdown", "--output", str(out), "--no-cache")
    assert code == 0, err
    model = json.loads(out.with_suffix(".json").read_text())
    cal = model["calendar"]
    assert cal["windows"] == [{"host": h, "start": "2026-11-02", "end": "2026-11-16", "how": "file date"}
                              for h in HOSTS]
    assert [(ev["name"], ev["waiting"], ev["next"], ev["code"], ev["functions"]) for ev in cal["events"]] == [
        ("month-end", True, "2026-11-30", ["rebal.book.close_month"], 2),
        ("quarter-end", True, "2026-12-31", ["rebal.report.performance"], 1),
        ("option-expiry", True, "2026-11-20", ["rebal.book.roll_options"], 1),
        ("index-rebalance", True, "2026-12-18", ["rebal.index.reconstitute"], 1),
        ("exchange-holiday", True, "2026-11-26", ["rebal.book.mark_closed"], 1)]
    assert [c["modified"] for c in model["inputs"]["coverage"]] == ["2026-11-16T18:00:00+00:00"] * 2
    functions = {fn["name"]: fn["awaiting"] for m in model["dormant"] for fn in m["functions"]}
    assert functions["rebal.book.statement"] == {"events": ["month-end"], "next": "2026-11-30"}
    assert functions["rebal.book.legacy_margin_call"] is None
    assert {m["key"]: m["value"] for m in model["metrics"]}["dormant.functions"] == 1
    text = out.read_text()
    assert "## Calendar" in text and "| `option-expiry` |" in text and "not in any window; next 2026-11-20" in text
    assert "`rebal.book.statement` (reachable), not yet observed: month-end, next 2026-11-30" in text


def test_one_host_whose_window_saw_the_event_is_enough(first_half, tmp_path):
    """ldn-rebal-1 is said to have run through 30 November; ldn-rebal-2 keeps its file date. The
    month-end fell in one host's window and no host ran the close: it is dormant."""
    root = scratch_fixture(first_half, tmp_path / "one")
    config = root / "pyproject.toml"
    config.write_text(config.read_text() + '\n[tool.knightwatch.calendar.windows]\n"ldn-rebal-1" = '
                      '[2026-11-02, 2026-11-30]\n')
    _written(root, "2026-11-16")
    code, report, _ = check_json(root)
    assert code == 1
    assert _kw101(report) == [("rebal/book.py", 22), ("rebal/book.py", 26), ("rebal/book.py", 35), LEGACY]
    assert _calendar_notes(report)[0].startswith(
        "calendar: not yet observed: quarter-end (the last business day of March, June, September and December) "
        "fell on no day of the coverage windows (2026-11-02 to 2026-11-16; 2026-11-02 to 2026-11-30)")


def test_which_code_a_condition_or_decorator_ties():
    source = textwrap.dedent('''
        @schedule.monthly
        def close(book):
            pass

        def run(days, cal):
            for day in days:
                if cal.is_month_end(day) and day.month == 12:
                    year_end(day)
                if not cal.is_month_end(day):
                    continue
                month_end(day)
                settle(day)
            if not is_month_end(days[-1]):
                daily()
            else:
                closing()
            if is_month_end_ish(days[0]):
                other()
    ''')
    finder = _Finder(Event("m", rule="month-end", decorators=("monthly",), conditions=("is_month_end",)))
    finder.visit(ast.parse(source))
    assert finder.defs == [3]
    assert sorted(finder.regions) == [(9, 9), (12, 13), (17, 17)]
