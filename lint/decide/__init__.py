"""Decisions between rules and reporters: --select/--ignore, inline suppressions, baselines."""
