"""JSON: the documented shape, deterministic, round-trips to the same findings."""

from __future__ import annotations

import json
import random
from dataclasses import replace

from knightwatch.finding import Finding, Severity, Suppression, TraceStep
from knightwatch.output.report import render
from test_report_common import breaker, dormant, make_result, stale

FINDING_KEYS = ["rule", "name", "severity", "level", "path", "line", "column", "end_line", "end_column",
                "message", "symbol", "snippet", "fingerprint", "trace", "properties", "suppressed"]


def test_shape_and_key_order():
    result = make_result(notes=["host h8: no coverage data"])
    text = render("json", result)
    data = json.loads(text)
    assert text.endswith("}\n") and text.startswith('{\n  "tool": {\n    "name"')
    assert list(data) == ["tool", "findings", "summary", "notes"]
    assert data["tool"] == {"name": "knightwatch", "version": "0.1.0"}
    assert data["summary"] == result.summary()
    assert data["notes"] == ["host h8: no coverage data"]
    assert all(list(f) == FINDING_KEYS for f in data["findings"])
    first = data["findings"][0]
    assert (first["rule"], first["severity"], first["level"]) == ("KW401", "low", "note")
    assert first["suppressed"] == {"kind": "inSource", "justification": "kept for the audit"}
    assert first["snippet"] == "OLD = True"
    kw301 = next(f for f in data["findings"] if f["rule"] == "KW301")
    assert kw301["suppressed"] is None
    assert kw301["trace"][0] == {"path": "src/orders.py", "line": 1, "column": 1, "message": "entry point `route`"}


def test_deterministic_regardless_of_input_order():
    findings = [breaker(), dormant(), dormant(line=4), stale(Suppression("external", "baseline"))]
    expected = render("json", make_result(findings))
    for seed in range(5):
        shuffled = findings[:]
        random.Random(seed).shuffle(shuffled)
        assert render("json", make_result(shuffled)) == expected
    paths = [(f["path"], f["line"], f["column"], f["rule"]) for f in json.loads(expected)["findings"]]
    assert paths == sorted(paths)


def test_property_order_and_non_json_values_are_normalised():
    a = breaker(region={"us", "eu"})
    b = replace(a, properties=dict(reversed(list(a.properties.items()))))
    out_a, out_b = render("json", make_result([a])), render("json", make_result([b]))
    assert out_a == out_b
    assert json.loads(out_a)["findings"][0]["properties"] == {"flag": "SMARS", "hosts": ["h1", "h2"],
                                                             "region": ["eu", "us"]}


def test_round_trip():
    result = make_result()
    data = json.loads(render("json", result))
    rebuilt = [
        Finding(
            rule=d["rule"], name=d["name"], severity=Severity.parse(d["severity"]), path=d["path"],
            line=d["line"], column=d["column"], message=d["message"], symbol=d["symbol"],
            end_line=d["end_line"], end_column=d["end_column"],
            trace=tuple(TraceStep(**step) for step in d["trace"]), properties=d["properties"],
            snippet=d["snippet"], fingerprint=d["fingerprint"],
            suppression=Suppression(**d["suppressed"]) if d["suppressed"] else None,
        )
        for d in data["findings"]
    ]
    assert rebuilt == sorted(result.findings, key=lambda f: f.sort_key)
    assert [f.properties for f in rebuilt] == [f.properties for f in sorted(result.findings, key=lambda f: f.sort_key)]
    assert render("json", make_result(rebuilt)) == render("json", result)
