"""`knightwatch fix`: retire flags at a value and delete what production proved dead, as one
checked change set (`plan_fix`) that is shown as a diff or written atomically (`apply`)."""

from __future__ import annotations

from knightwatch.fix.apply import dirty_files, unified_diff, write_all
from knightwatch.fix.plan import FixPlan, plan_fix
from knightwatch.fix.targets import dead_definitions, parse_values, stale_values, unknown_keys

__all__ = ["FixPlan", "dead_definitions", "dirty_files", "parse_values", "plan_fix", "stale_values",
           "unified_diff", "unknown_keys", "write_all"]
