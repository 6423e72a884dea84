"""Candidate flag values a release will ship with (`check --candidate-flags FILE`): a TOML or JSON
map of key -> on/off, or an OpenFeature CLI flag manifest (each flag's `defaultValue`)."""

from __future__ import annotations

import json
from pathlib import Path

from knightwatch.output.blast import as_bool
from knightwatch.config import _read_toml
from knightwatch.errors import KnightwatchError


def load_candidates(path: Path) -> dict[str, bool]:
    """Boolean candidate values by flag key. Non-boolean flags of a manifest (string, number,
    object) say nothing about which branch runs, and are left out."""
    if not path.is_file():
        raise KnightwatchError(f"{path}: candidate flags file not found")
    if path.suffix == ".toml":
        data = _read_toml(path)
    else:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise KnightwatchError(f"{path}: not a JSON or TOML candidate flags file: {exc}") from None
    if not isinstance(data, dict):
        raise KnightwatchError(f"{path}: candidate flags must be a map of flag key to on/off")
    table = data.get("flags") if isinstance(data.get("flags"), dict) and set(data) <= {"flags", "$schema"} else data
    out = {}
    for key, raw in table.items():
        manifest = isinstance(raw, dict)
        if manifest:
            if "defaultValue" not in raw:
                raise KnightwatchError(f"{path}: flag {key!r} has no defaultValue")
            if raw.get("flagType", "boolean") != "boolean":
                continue
            raw = raw["defaultValue"]
        value = as_bool(raw)
        if value is None:
            if manifest:
                raise KnightwatchError(f"{path}: boolean flag {key!r} has defaultValue {raw!r}")
            raise KnightwatchError(f"{path}: flag {key!r} must be on or off (true/false), not {raw!r}")
        out[str(key)] = value
    return out
