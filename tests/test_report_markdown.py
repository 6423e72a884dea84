"""Markdown step summary: verdict, counts, findings by severity with code paths, size cap."""

from __future__ import annotations

from knightwatch.finding import Finding, Severity
from knightwatch.output.report import markdown, render
from test_report_common import breaker, dormant, make_result


def test_headline_counts_and_findings():
    out = render("markdown", make_result(notes=["host h8: no coverage data"]))
    lines = out.splitlines()
    assert lines[0] == ("## \u274c knightwatch: 2 findings (1 critical, 1 high) in 2 files "
                        "with coverage from 8 hosts; 1 suppressed.")
    assert "| KW301 | breaker-out-of-reach | 1 | 0 | 0 | 0 | 1 |" in lines
    assert "| **All** |  | 1 | 1 | 0 | 0 | 2 |" in lines
    assert lines.index("### Critical (1)") < lines.index("### High (1)")
    assert "flag `OLD`" not in out  # suppressed: counted in the headline, not listed
    row = next(line for line in lines if line.startswith("| KW301 breaker-out-of-reach"))
    assert "<code>src/orders.py:5:5</code>" in row
    assert "<details><summary>Code path (3 steps)</summary><ol><li>src/orders.py:1  entry point `route`</li>" in row
    assert out.endswith("### Notes\n\n- host h8: no coverage data\n")


def test_clean_run():
    out = render("markdown", make_result([], hosts=[]))
    assert out == "## \u2705 knightwatch: No findings in 2 files.\n\n"


def test_cells_are_escaped():
    odd = Finding("KW301", "a|b", Severity.HIGH, "x.py", 1, 1, "<script> | two\nlines & more")
    row = render("markdown", make_result([odd])).splitlines()[-1]
    assert row == "| KW301 a\\|b | <code>x.py:1:1</code> | &lt;script&gt; \\| two<br>lines &amp; more |"


def test_truncated_below_the_cap(monkeypatch):
    monkeypatch.setattr(markdown, "MAX_BYTES", 3000)
    findings = [breaker(line=5)] + [dormant(line=3 + i) for i in range(40)]
    out = render("markdown", make_result(findings))
    assert len(out.encode()) <= 3000
    rows = [line for line in out.splitlines() if line.startswith("| KW")]
    shown = len(rows) - 2  # two rows of the counts table
    assert 0 < shown < 41
    assert f"**Truncated:** {shown} of 41 findings shown" in out
    assert "### Critical (1)" in out


def test_real_cap_is_well_below_one_mebibyte():
    findings = [dormant(line=3 + i) for i in range(6000)]
    out = render("markdown", make_result(findings))
    assert len(out.encode()) <= markdown.MAX_BYTES < 1024 * 1024 * 0.9
    assert "**Truncated:**" in out
