"""JUnit XML: parses, one failing testcase per active finding, right counts, green when clean."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from knightwatch.finding import Finding, Severity
from knightwatch.output.report import render
from test_report_common import make_result


def suite(result) -> ET.Element:
    root = ET.fromstring(render("junit", result).encode("utf-8"))
    assert root.tag == "testsuite" and root.get("name") == "knightwatch"
    return root


def test_counts_and_cases():
    root = suite(make_result())
    assert {k: root.get(k) for k in ("tests", "failures", "errors", "skipped")} == {
        "tests": "3", "failures": "2", "errors": "0", "skipped": "1"}
    cases = root.findall("testcase")
    assert [(c.get("classname"), c.get("name")) for c in cases] == [
        ("KW401", "src/flags.py:1"), ("KW201", "src/orders.py:3"), ("KW301", "src/orders.py:5")]
    assert cases[0].find("skipped").get("message") == "suppressed (inSource): kept for the audit"
    failure = cases[2].find("failure")
    assert failure.get("type") == "critical"
    assert failure.get("message") == "`send` is reachable without `check_quantity`"
    assert "5 |     send(order)" in failure.text
    assert "src/orders.py:1  entry point `route`" in failure.text


def test_clean_run_is_one_passing_test():
    root = suite(make_result([]))
    assert (root.get("tests"), root.get("failures"), root.get("skipped")) == ("1", "0", "0")
    [case] = root.findall("testcase")
    assert list(case) == []


def test_control_characters_do_not_break_the_xml():
    odd = Finding("KW301", "breaker", Severity.HIGH, "a.py", 1, 1, "bad \x00\x1b[31m byte & <tag>")
    failure = suite(make_result([odd])).find("testcase/failure")
    assert failure.get("message") == "bad \ufffd\ufffd[31m byte & <tag>"
