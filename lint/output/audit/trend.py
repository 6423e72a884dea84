"""Trend: what appeared and what was fixed since a previous audit, and the direction of each count."""

from __future__ import annotations

_BRIEF = ("fingerprint", "rule", "name", "severity", "path", "line", "message")


def _active(model: dict) -> dict[str, dict]:
    return {f["fingerprint"]: f for f in model["findings"] if f.get("suppressed") is None}


def _brief(f: dict) -> dict:
    return {k: f.get(k) for k in _BRIEF}


def compare(current: dict, previous: dict) -> dict:
    """Findings new and gone (by fingerprint) and every metric of either audit, previous vs current."""
    now, before = _active(current), _active(previous)
    old_values = {m["key"]: m for m in previous["metrics"]}
    counts = []
    for m in current["metrics"]:
        old = old_values.pop(m["key"], None)
        counts.append(_count(m["key"], m["label"], old["value"] if old else 0, m["value"]))
    counts += [_count(k, m.get("label", k), m["value"], 0) for k, m in old_values.items()]
    return {
        "previous_generated": previous["generated"],
        "appeared": [_brief(f) for fp, f in now.items() if fp not in before],
        "fixed": [_brief(f) for fp, f in before.items() if fp not in now],
        "counts": counts,
    }


def _count(key: str, label: str, previous: int, current: int) -> dict:
    delta = current - previous
    return {"key": key, "label": label, "previous": previous, "current": current, "delta": delta,
            "direction": "up" if delta > 0 else "down" if delta < 0 else "same"}
