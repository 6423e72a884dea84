"""GitHub workflow commands: one annotation per active finding, properly escaped."""

from __future__ import annotations

from knightwatch.finding import Finding, Severity, Suppression
from knightwatch.output.report import render
from knightwatch.output.report.github import escape_data, escape_property
from test_report_common import breaker, dormant, make_result, stale


def test_one_line_per_active_finding():
    lines = render("github", make_result()).splitlines()
    assert lines == [
        "::error file=src/orders.py,line=3,col=9,endLine=3,title=KW201 dormant-path::"
        "`power_peg` never ran on 8 hosts",
        "::error file=src/orders.py,line=5,col=5,endLine=5,title=KW301 breaker-out-of-reach::"
        "`send` is reachable without `check_quantity`",
    ]


def test_command_per_severity():
    findings = [breaker(), dormant(), dormant(line=4, severity=Severity.MEDIUM), stale()]
    commands = sorted(line.split(" ", 1)[0] for line in render("github", make_result(findings)).splitlines())
    assert commands == ["::error", "::error", "::notice", "::warning"]


def test_escaping():
    assert escape_data("100%\r\ndone: a,b") == "100%25%0D%0Adone: a,b"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    odd = Finding("KW9:9", "x,y", Severity.LOW, "dir,1/a:b.py", 2, 0, "50% done\nnext: line")
    [line] = render("github", make_result([odd])).splitlines()
    assert line == ("::notice file=dir%2C1/a%3Ab.py,line=2,col=1,endLine=2,title=KW9%3A9 x%2Cy::"
                    "50%25 done%0Anext: line")


def test_suppressed_only_or_clean_means_no_output():
    assert render("github", make_result([stale(Suppression("external", "baseline"))])) == ""
    assert render("github", make_result([])) == ""
