"""Terminal text: findings by severity with snippet and path, summary, notes, verdict; colour on demand."""

from __future__ import annotations

import re

from knightwatch.finding import Finding, Severity
from knightwatch.output.report import render
from knightwatch.output.report.text import use_color
from test_report_common import make_result

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def test_plain_layout():
    out = render("text", make_result(notes=["host h8: no coverage data"]), color=False, width=100)
    assert not ANSI.search(out)
    lines = [line.rstrip() for line in out.splitlines()]
    assert lines.index("CRITICAL (1)") < lines.index("HIGH (1)")
    start = lines.index("KW301 breaker-out-of-reach  src/orders.py:5:5")
    assert lines[start + 1:start + 7] == [
        "  `send` is reachable without `check_quantity`",
        "    5 |     send(order)",
        "  path:",
        "    src/orders.py:1  entry point `route`",
        "    src/orders.py:2  flag `SMARS` enables",
        "    src/orders.py:5  sends the order; no breaker on this path",
    ]
    assert "flag `OLD`" not in out  # suppressed: counted, not listed
    assert any(re.fullmatch(r"\s*KW301\s+breaker-out-of-reach\s+1\s+0\s+0\s+0\s+1", line) for line in lines)
    assert any(re.fullmatch(r"\s*All\s+1\s+1\s+0\s+0\s+2", line) for line in lines)
    assert "  - host h8: no coverage data" in lines
    assert lines[-1] == "2 findings (1 critical, 1 high) in 2 files with coverage from 8 hosts; 1 suppressed."


def test_markup_in_messages_is_literal():
    odd = Finding("KW301", "x", Severity.HIGH, "a.py", 1, 1, "[bold]not markup[/bold] :smile:")
    out = render("text", make_result([odd]), color=True, width=100)
    assert "[bold]not markup[/bold] :smile:" in ANSI.sub("", out)


def test_colour_on_request_and_off_with_no_color(monkeypatch):
    assert ANSI.search(render("text", make_result(), color=True))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert use_color(None) is False
    assert not ANSI.search(render("text", make_result()))
    assert use_color(True) is True


def test_auto_colour_follows_the_terminal(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setattr("sys.stdout.isatty", lambda: False)
    assert use_color(None) is False
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    assert use_color(None) is True


def test_clean_run():
    out = render("text", make_result([], hosts=[]), color=False)
    assert out == "No findings in 2 files.\n"
