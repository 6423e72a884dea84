"""The date a run judges flags against."""

from __future__ import annotations

import datetime as dt
import os


def today() -> dt.date:
    """Today, unless `KNIGHTWATCH_TODAY=YYYY-MM-DD` pins it (stored runs and tests need a fixed date)."""
    pinned = os.environ.get("KNIGHTWATCH_TODAY")
    return dt.date.fromisoformat(pinned) if pinned else dt.date.today()
