"""`[tool.knightwatch.calendar]`: trading-calendar events, the days they fall on, and the window of
days each host's coverage data covers.

An event is a built-in rule (`month-end`, `quarter-end`, `third-friday`) or a list of dates, with the
code tied to it (`functions`, `decorators`, `conditions`: matched in lint/production/event_code.py). Month-end
and quarter-end are the last business day of the month or quarter; a third Friday that is a holiday
moves to the business day before it, as listed options expire then. Business days are Monday to Friday
except the configured `holidays`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any, Mapping

from knightwatch.clock import as_date
from knightwatch.errors import KnightwatchError

#: built-in rules and what they mean, as said in notes and the audit
RULES = {
    "month-end": "the last business day of each month",
    "quarter-end": "the last business day of March, June, September and December",
    "third-friday": "the third Friday of each month (the business day before, if a holiday)",
}
EVENT_KEYS = {"rule": str, "dates": list, "functions": list, "decorators": list, "conditions": list}
CALENDAR_KEYS = {"events": dict, "holidays": list, "window-days": int, "windows": dict}
#: how far ahead the next occurrence of a rule is looked for (every rule recurs within a quarter)
HORIZON = dt.timedelta(days=400)


@dataclass(frozen=True)
class Event:
    """A named calendar event and how code is tied to it (patterns as written in the configuration)."""

    name: str
    rule: str | None = None
    dates: tuple[dt.date, ...] = ()
    functions: tuple[str, ...] = ()
    decorators: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()

    @property
    def described(self) -> str:
        return RULES[self.rule] if self.rule else f"on {len(self.dates)} listed date(s)"


@dataclass(frozen=True)
class Window:
    """The days (inclusive) one host's coverage data covers, and where that came from."""

    start: dt.date
    end: dt.date
    how: str  # "configured" or "file date"

    def __str__(self) -> str:
        return f"{self.start.isoformat()} to {self.end.isoformat()}"


@dataclass(frozen=True)
class Calendar:
    """The configured events, holidays and coverage windows (sorted tuples: a stable repr)."""

    events: tuple[Event, ...] = ()
    holidays: tuple[dt.date, ...] = ()
    window_days: int = 1
    windows: tuple[tuple[str, dt.date, dt.date], ...] = ()  # host glob, start, end

    def business_day(self, day: dt.date) -> bool:
        return day.weekday() < 5 and day not in self.holidays

    def _previous_business_day(self, day: dt.date) -> dt.date:
        while not self.business_day(day):
            day -= dt.timedelta(days=1)
        return day

    def _month_end(self, year: int, month: int) -> dt.date:
        first_next = dt.date(year + month // 12, month % 12 + 1, 1)
        return self._previous_business_day(first_next - dt.timedelta(days=1))

    def _third_friday(self, year: int, month: int) -> dt.date:
        first = dt.date(year, month, 1)
        friday = first + dt.timedelta(days=(4 - first.weekday()) % 7 + 14)
        return self._previous_business_day(friday)

    def _rule_days(self, rule: str, year: int, month: int) -> list[dt.date]:
        if rule == "month-end":
            return [self._month_end(year, month)]
        if rule == "quarter-end":
            return [self._month_end(year, month)] if month % 3 == 0 else []
        return [self._third_friday(year, month)]

    def days(self, event: Event, start: dt.date, end: dt.date) -> list[dt.date]:
        """The days in [START, END] the event falls on."""
        if not event.rule:
            return [d for d in event.dates if start <= d <= end]
        out, (year, month) = [], (start.year, start.month)
        while (year, month) <= (end.year, end.month):
            out += [d for d in self._rule_days(event.rule, year, month) if start <= d <= end]
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return out

    def next_after(self, event: Event, day: dt.date) -> dt.date | None:
        """The first day after DAY the event falls on (None: no listed date is later)."""
        later = self.days(event, day + dt.timedelta(days=1), day + HORIZON) if event.rule else \
            sorted(d for d in event.dates if d > day)
        return min(later, default=None)

    def window(self, host: str, written: dt.date | None) -> Window | None:
        """HOST's window: the first configured one whose glob matches, else the `window-days` days up
        to the day its data file was written; None when neither is known."""
        for pattern, start, end in self.windows:
            if fnmatchcase(host, pattern) or pattern == "default":
                return Window(start, end, "configured")
        if written is None:
            return None
        return Window(written - dt.timedelta(days=self.window_days - 1), written, "file date")


def _date(value: Any, where: str) -> dt.date:
    found = as_date(value)
    if found is None:
        raise KnightwatchError(f"{where}: {value!r} is not a date (write 2026-11-30)")
    return found


def _dates(values: Any, where: str) -> tuple[dt.date, ...]:
    if not isinstance(values, list):
        raise KnightwatchError(f"{where} must be an array of dates")
    return tuple(sorted({_date(v, where) for v in values}))


def _checked(table: Any, keys: Mapping[str, type], prefix: str, file: Path) -> dict:
    if not isinstance(table, dict):
        raise KnightwatchError(f"{file}: [{prefix}] must be a table")
    for key, value in table.items():
        expected = keys.get(key)
        if expected is None:
            raise KnightwatchError(f"{file}: unknown key [{prefix}] {key!r} (known keys: {', '.join(sorted(keys))})")
        if not isinstance(value, expected) or isinstance(value, bool):
            kind = {str: "a string", list: "an array", dict: "a table", int: "an integer"}[expected]
            raise KnightwatchError(f"{file}: [{prefix}] {key!r} must be {kind}")
    return table


def _patterns(table: dict, key: str, prefix: str, file: Path) -> tuple[str, ...]:
    values = table.get(key, [])
    if not all(isinstance(v, str) and v.strip() for v in values):
        raise KnightwatchError(f"{file}: [{prefix}] {key!r} must be an array of non-empty strings")
    return tuple(values)


def _event(name: str, table: Any, file: Path) -> Event:
    prefix = f"tool.knightwatch.calendar.events.{name}"
    table = _checked(table, EVENT_KEYS, prefix, file)
    rule = table.get("rule")
    if rule is not None and rule not in RULES:
        raise KnightwatchError(f"{file}: [{prefix}] 'rule' must be one of {', '.join(RULES)}, not {rule!r}")
    if (rule is None) == ("dates" not in table):
        raise KnightwatchError(f"{file}: [{prefix}] needs either a 'rule' or a list of 'dates' (not both)")
    event = Event(name, rule, _dates(table["dates"], f"{file}: [{prefix}] 'dates'") if "dates" in table else (),
                  *(_patterns(table, k, prefix, file) for k in ("functions", "decorators", "conditions")))
    if rule is None and not event.dates:
        raise KnightwatchError(f"{file}: [{prefix}] 'dates' is empty")
    if not (event.functions or event.decorators or event.conditions):
        raise KnightwatchError(f"{file}: [{prefix}] ties no code to the event: give 'functions', "
                               "'decorators' or 'conditions'")
    return event


def parse_calendar(table: Any, file: Path) -> Calendar:
    """The `[tool.knightwatch.calendar]` table, checked key by key (a clear error for anything wrong)."""
    prefix = "tool.knightwatch.calendar"
    table = _checked(table, CALENDAR_KEYS, prefix, file)
    events = tuple(_event(name, t, file) for name, t in table.get("events", {}).items())
    days = table.get("window-days", 1)
    if days < 1:
        raise KnightwatchError(f"{file}: [{prefix}] 'window-days' must be a positive number of days")
    windows = []
    for host, span in table.get("windows", {}).items():
        where = f"{file}: [{prefix}.windows] {host!r}"
        if not isinstance(span, list) or len(span) != 2:
            raise KnightwatchError(f"{where} must be [first day, last day]")
        start, end = (_date(v, where) for v in span)
        if start > end:
            raise KnightwatchError(f"{where}: the first day {start} is after the last day {end}")
        windows.append((host, start, end))
    windows.sort(key=lambda w: w[0] == "default")  # a host's own window before the default
    return Calendar(events, _dates(table.get("holidays", []), f"{file}: [{prefix}] 'holidays'"), days, tuple(windows))


def matches(written: str, patterns: tuple[str, ...]) -> str | None:
    """The first pattern (a glob) that the dotted text WRITTEN matches: in full, or one of the two
    is a dotted suffix of the other (`dates.is_holiday` matches `is_holiday` and `rebal.dates.is_holiday`)."""
    for pattern in patterns:
        if fnmatchcase(written, pattern) or fnmatchcase(written, "*." + pattern) or pattern.endswith("." + written):
            return pattern
    return None
