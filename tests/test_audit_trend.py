"""Trend against a previous audit JSON, and the checks on that JSON."""

from __future__ import annotations

import json

import pytest

from knightwatch.output.audit import build, dumps, load_previous, render
from knightwatch.errors import KnightwatchError
from test_audit import audit_of

GONE = {"fingerprint": "0" * 32, "rule": "KW202", "name": "stale-flag", "severity": "low", "path": "flags.toml",
        "line": 40, "message": "flag 'routing.old' is declared (owner x) but no code reads it", "suppressed": None}


@pytest.fixture(scope="module")
def current():
    from pathlib import Path

    return audit_of(Path(__file__).resolve().parent.parent / "fixtures" / "smars")


def _previous(model: dict) -> dict:
    """Last week's audit: no Power Peg finding yet, one stale flag since removed, a retired rule."""
    old = json.loads(dumps(model))
    old["generated"] = "2026-11-16"
    old["findings"] = [f for f in old["findings"] if f["rule"] != "KW301"] + [GONE]
    values = {"severity.critical": 1, "severity.low": 4, "rule.KW301": 0, "dormant.lines": 52}
    for m in old["metrics"]:
        m["value"] = values.get(m["key"], m["value"])
    old["metrics"].append({"key": "rule.KW999", "label": "KW999 retired", "value": 2})
    return old


def test_trend_against_a_modified_previous(current, tmp_path):
    model, result, analysis = current
    path = tmp_path / "audit.json"
    path.write_text(dumps(_previous(model)))
    trend = build(result, analysis, previous=load_previous(path))["trend"]
    assert trend["previous_generated"] == "2026-11-16"
    kw301 = next(f for f in model["findings"] if f["rule"] == "KW301")
    assert [f["fingerprint"] for f in trend["appeared"]] == [kw301["fingerprint"]]
    assert [f["fingerprint"] for f in trend["fixed"]] == [GONE["fingerprint"]]
    counts = {c["key"]: c for c in trend["counts"]}
    assert (counts["severity.critical"]["previous"], counts["severity.critical"]["current"],
            counts["severity.critical"]["direction"]) == (1, 2, "up")
    assert counts["severity.low"]["direction"] == "down" and counts["severity.low"]["delta"] == -1
    assert counts["dormant.lines"]["direction"] == "down"
    assert counts["severity.high"]["direction"] == "same"
    assert counts["rule.KW999"] == {"key": "rule.KW999", "label": "KW999 retired", "previous": 2, "current": 0,
                                    "delta": -2, "direction": "down"}


def test_trend_rendered(current):
    model, result, analysis = current
    with_trend = build(result, analysis, previous=_previous(model))
    page = render("html", with_trend)
    assert "Since the audit of 2026-11-16: 1 new finding, 1 fixed." in page
    assert "New since then (1)" in page and "Fixed since then (1)" in page
    assert "flag &#x27;routing.old&#x27; is declared" in page
    assert '<td class="num up">▲ +1</td>' in page
    text = render("markdown", with_trend)
    assert "| Critical | 1 | 2 | ▲ +1 |" in text and "| Low | 4 | 3 | ▼ -1 |" in text


def test_same_input_no_change(current):
    model, result, analysis = current
    trend = build(result, analysis, previous=json.loads(dumps(model)))["trend"]
    assert trend["appeared"] == [] and trend["fixed"] == []
    assert {c["direction"] for c in trend["counts"]} == {"same"}


@pytest.mark.parametrize("content, message", [
    ("{not json", "previous audit is not valid JSON"),
    ('{"findings": []}', 'not a knightwatch audit JSON (expected "schema": "knightwatch-audit/1")'),
    ('{"schema": "knightwatch-audit/1", "findings": [], "generated": "x"}', "'metrics' must be a list"),
    ('{"schema": "knightwatch-audit/1", "findings": [{"rule": "KW1"}], "metrics": [], "generated": "x"}',
     "findings[0] lacks fingerprint, rule or severity"),
    ('{"schema": "knightwatch-audit/1", "findings": [], "metrics": [{"key": "a", "value": "1"}], "generated": "x"}',
     "metrics[0] needs a string key and an integer value"),
])
def test_bad_previous_is_one_clear_line(tmp_path, content, message):
    path = tmp_path / "prev.json"
    path.write_text(content)
    with pytest.raises(KnightwatchError) as info:
        load_previous(path)
    assert str(info.value).startswith(f"{path}: ") and message in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_previous(tmp_path):
    with pytest.raises(KnightwatchError, match=r"nope\.json: cannot read previous audit"):
        load_previous(tmp_path / "nope.json")


def test_a_flag_with_two_statuses_counts_under_each(tmp_path, monkeypatch):
    """An expired flag that is also recycled is one of the expired flags the headline counts."""
    from projects import make_project, run_hosts

    from knightwatch.output.inventory import STATUSES

    root = make_project(tmp_path / "desk", {
        "app/__init__.py": "",
        "app/__main__.py": """
            import os
            import sys

            def midpoint():
                return "mid"

            def power_peg():
                return "power peg"

            def price():
                if os.getenv("APP_PEG") == "1":
                    return midpoint()
                return None

            def legacy_desk():
                if os.getenv("APP_PEG") == "1":
                    return power_peg()
                return None

            def main():
                print(price())
                if "--legacy" in sys.argv:
                    print(legacy_desk())

            main()
        """,
        "flags.toml": """
            [flags."APP_PEG"]
            owner = "desk"
            kind = "release"
            created = 2014-01-01
            expires = 2016-06-30
        """}, """
        [tool.knightwatch]
        source = ["app"]
        entry-points = ["app.__main__:main"]
        coverage = ["prodcov/.coverage.*"]

        [tool.knightwatch.flags]
        registry = "flags.toml"
    """)
    monkeypatch.setenv("APP_PEG", "1")  # on everywhere; only h3 runs the legacy desk that reads it too
    run_hosts(root, "app", "app", {"h1": [], "h2": [], "h3": ["--legacy"]})
    model = audit_of(root)[0]
    (flag,) = model["flags"]
    assert {"recycled", "expired"} <= set(flag["statuses"])
    counts = {m["key"]: m["value"] for m in model["metrics"]}
    assert counts["flags.expired"] == counts["flags.recycled"] == 1
    assert all(counts[f"flags.{s}"] == 0 for s in STATUSES if s not in flag["statuses"] and s != "live")
