"""Shared builders for the reporter tests, and tests of `knightwatch.output.report` itself."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from knightwatch.errors import KnightwatchError
from knightwatch.finding import Finding, Severity, Suppression, TraceStep, finalise
from knightwatch.output.report import FORMATS, render
from knightwatch.output.report.common import by_severity, rule_counts, verdict
from knightwatch.result import RunResult
from knightwatch.rule import Rule


class BreakerOutOfReach(Rule):
    """Order-sending code whose circuit breaker is not on every path to it.

    ## What it does
    Checks that every path from an entry point to an order sink passes a breaker.

    ## Why is this bad?
    Knight's Power Peg kept sending child orders after its quantity check moved away.

    ## Example
    ```python
    def route(order):
        send(order)
    ```

    ## Use instead
    ```python
    def route(order):
        check_cumulative_quantity(order)
        send(order)
    ```
    """

    id = "KW301"
    name = "breaker-out-of-reach"
    severity = Severity.CRITICAL
    tags = ("safety", "knight-capital", "safety")
    precision = "high"


class DormantPath(Rule):
    """Code reachable only through a flag no host has exercised.

    ## What it does
    Reports call paths gated by a flag with no production coverage.

    ## Why is this bad?
    Dormant code wakes up when the flag is re-purposed.

    ## Example
    ```python
    if flags.is_enabled("SMARS"):
        power_peg()
    ```

    ## Use instead
    ```python
    smars()
    ```
    """

    id = "KW201"
    name = "dormant-path"
    severity = Severity.HIGH
    tags = ("dormant",)
    precision = "medium"


class StaleFlag(Rule):
    """A flag whose value has not changed in a long time.

    ## What it does
    Lists flags that are always on or always off.

    ## Why is this bad?
    Stale flags get recycled.

    ## Example
    ```python
    if flags.is_enabled("OLD"):
        pass
    ```

    ## Use instead
    ```python
    pass
    ```
    """

    id = "KW401"
    name = "stale-flag"
    severity = Severity.LOW


RULES = [StaleFlag, BreakerOutOfReach, DormantPath]

SOURCES = {
    "src/orders.py": ["def route(order):\n", "    if flags.is_enabled('SMARS'):\n", "        power_peg(order)\n",
                      "def power_peg(order):\n", "    send(order)\n"],
    "src/flags.py": ["OLD = True\n", "SMARS = registry.flag('SMARS')\n"],
}


def breaker(line: int = 5, **kwargs) -> Finding:
    trace = (
        TraceStep("src/orders.py", 1, 1, "entry point `route`"),
        TraceStep("src/orders.py", line - 3, 5, "flag `SMARS` enables"),
        TraceStep("src/orders.py", line, 5, "sends the order; no breaker on this path"),
    )
    return BreakerOutOfReach().finding("src/orders.py", line, "`send` is reachable without `check_quantity`",
                                       column=5, symbol="power_peg", end_column=16, trace=trace,
                                       flag="SMARS", hosts=["h1", "h2"], **kwargs)


def dormant(line: int = 3, **kwargs) -> Finding:
    return DormantPath().finding(
        "src/orders.py", line, "`power_peg` never ran on 8 hosts", column=9, symbol="power_peg",
        trace=(TraceStep("src/orders.py", line - 1, 5, "gated by `SMARS`"),
               TraceStep("src/orders.py", line, 9, "calls `power_peg`")),
        hosts_seen=0, **kwargs)


def stale(suppression: Suppression | None = None) -> Finding:
    f = StaleFlag().finding("src/flags.py", 1, "flag `OLD` has been on for 400 days", symbol="OLD")
    return replace(f, suppression=suppression)


def make_result(findings: list[Finding] | None = None, *, lines: dict[str, list[str]] | None = None,
                **kwargs) -> RunResult:
    """A RunResult with finalised (snippet + fingerprint) findings."""
    if findings is None:
        findings = [breaker(), dormant(), stale(Suppression("inSource", "kept for the audit"))]
    done = finalise(findings, (lines or SOURCES).get)
    kwargs.setdefault("files_analysed", 2)
    kwargs.setdefault("hosts", [f"h{i}" for i in range(1, 9)])
    return RunResult(root=Path("/srv/trading"), findings=done, rules=list(RULES), **kwargs)


def test_by_severity_groups_critical_first_in_sort_order():
    result = make_result([stale(), dormant(), breaker(), dormant(line=4)])
    groups = by_severity(result.findings)
    assert [s for s, _ in groups] == [Severity.CRITICAL, Severity.HIGH, Severity.LOW]
    assert [f.line for f in groups[1][1]] == [3, 4]


def test_rule_counts_split_by_severity():
    findings = [breaker(), breaker(line=4, severity=Severity.HIGH), stale()]
    counts = {rule: (name, dict(c)) for rule, name, c in rule_counts(findings)}
    assert list(counts) == ["KW301", "KW401"]
    assert counts["KW301"] == ("breaker-out-of-reach", {Severity.CRITICAL: 1, Severity.HIGH: 1})


def test_verdict_counts_severities_hosts_and_suppressed():
    assert verdict(make_result()) == (
        "2 findings (1 critical, 1 high) in 2 files with coverage from 8 hosts; 1 suppressed.")
    assert verdict(make_result([], hosts=[], files_analysed=1)) == "No findings in 1 file."


def test_unknown_format_is_a_one_line_error():
    with pytest.raises(KnightwatchError, match=r"unknown output format 'yaml' \(choose from text, json"):
        render("yaml", make_result())


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_renders_text_ending_in_newline(fmt):
    out = render(fmt, make_result(), color=False, width=100)
    assert out.endswith("\n") and "KW301" in out


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_strip_suppressed_removes_suppressed_findings(fmt):
    result = make_result()
    assert "flag `OLD`" in render(fmt, result)
    stripped = render(fmt, result, strip_suppressed=True)
    assert "flag `OLD`" not in stripped and "KW301" in stripped
    assert len(result.findings) == 3  # the caller's result is left alone
