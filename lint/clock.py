"""The date a run judges flags against, and dates as configuration writes them."""

from __future__ import annotations

import datetime as dt
import os


def today() -> dt.date:
    """Today, unless `KNIGHTWATCH_TODAY=YYYY-MM-DD` pins it (stored runs and tests need a fixed date)."""
    pinned = os.environ.get("KNIGHTWATCH_TODAY")
    return dt.date.fromisoformat(pinned) if pinned else dt.date.today()


def as_date(value: object) -> dt.date | None:
    """VALUE as a date: a TOML date or datetime, or an ISO `YYYY-MM-DD` string; None otherwise."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None
