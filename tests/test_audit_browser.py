"""Load the SMARS audit in real headless Chromium: no console errors, no network, every section visible.

A probe script, put first in <head> of a copy of the page, records errors (uncaught exceptions,
console.error/warn), every resource the page requested, each section's visibility and the result
of using the page's own sorting and filtering; `--dump-dom` hands the record back. Chromium's own
log (`--enable-logging=stderr`) must hold no console message at all.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from knightwatch.output.audit import render
from knightwatch.output.audit.html import SECTIONS
from test_audit import audit_of

CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser") if shutil.which(n)), None)
CI = os.environ.get("CI", "").lower() not in ("", "0", "false", "no")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--enable-logging=stderr", "--v=0", "--host-resolver-rules=MAP * ~NOTFOUND", "--window-size=1400,1000"]

PROBE = """<script>
(function () {
  var problems = [];
  window.addEventListener("error", function (ev) { problems.push("uncaught: " + ev.message); });
  window.addEventListener("unhandledrejection", function (ev) { problems.push("rejection: " + ev.reason); });
  ["error", "warn"].forEach(function (level) {
    console[level] = function () { problems.push(level + ": " + Array.prototype.join.call(arguments, " ")); };
  });
  window.addEventListener("load", function () {
    var out = {problems: problems, sections: {}};
    IDS.forEach(function (id) {
      var el = document.getElementById(id), box = el && el.getBoundingClientRect(), style = el && getComputedStyle(el);
      out.sections[id] = !!el && box.width > 0 && box.height > 0 && style.display !== "none" &&
        style.visibility !== "hidden" && el.offsetParent !== null;
    });
    out.graphs = Array.prototype.map.call(document.querySelectorAll("svg.graph"), function (svg) {
      var box = svg.getBBox(); return [Math.round(box.width), Math.round(box.height)];
    });
    var flags = document.getElementById("flag-table");
    flags.tHead.rows[0].cells[4].click();  /* Age: youngest first */
    out.youngest = flags.tBodies[0].rows[0].cells[0].textContent;
    var filter = document.getElementById("flag-filter");
    filter.value = "mode-7";
    filter.dispatchEvent(new Event("input"));
    out.filtered = Array.prototype.filter.call(flags.tBodies[0].rows, function (r) { return !r.hidden; })
      .map(function (r) { return r.cells[0].textContent; });
    out.resources = performance.getEntriesByType("resource").map(function (e) { return e.name; });
    var pre = document.createElement("pre");
    pre.id = "kw-probe";
    pre.textContent = JSON.stringify(out);
    document.body.appendChild(pre);
  });
})();
</script>"""


@pytest.fixture
def chromium():
    if CHROMIUM is None:
        if CI:
            pytest.fail("chromium is not installed but CI is set: .ci/run must `apt-get install -y chromium`")
        pytest.skip("chromium is not installed (apt-get install -y chromium chromium-driver); runs under CI=true")
    return CHROMIUM


def load(chromium: str, page: Path, profile: Path) -> tuple[dict | None, list[str]]:
    """(the probe's record, Chromium's console log lines) after loading PAGE."""
    run = subprocess.run([chromium, *FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    found = re.search(r'<pre id="kw-probe">(.*?)</pre>', run.stdout, re.S)
    console = [line for line in run.stderr.splitlines() if ":CONSOLE" in line]
    return (json.loads(html.unescape(found.group(1))) if found else None), console


def probed(text: str, ids: list[str]) -> str:
    return text.replace("<head>", "<head>" + PROBE.replace("IDS", json.dumps(ids)), 1)


def test_audit_renders_in_chromium(chromium, smars_dir, tmp_path):
    ids = [sid for sid, _ in SECTIONS]
    page = tmp_path / "report.html"
    page.write_text(probed(render("html", audit_of(smars_dir)[0]), ids), encoding="utf-8")
    record, console = load(chromium, page, tmp_path / "profile")
    assert record is not None, "the probe did not run"
    assert record["problems"] == [] and console == []
    assert record["sections"] == {sid: True for sid in ids}
    assert len(record["graphs"]) == 2 and all(w > 400 and h > 60 for w, h in record["graphs"])
    assert record["resources"] == []
    assert record["youngest"] == "routing.midpoint-sweep"  # created 2012-07-09
    assert record["filtered"] == ["routing.mode-7"]


def test_probe_catches_errors(chromium, tmp_path):
    """The harness itself: a broken page is reported, so the checks above are not vacuous."""
    page = tmp_path / "broken.html"
    page.write_text(probed('<!DOCTYPE html><html><head></head><body><section id="a" hidden>x</section>'
                           '<table id="flag-table"><thead><tr><th>1</th><th>2</th><th>3</th><th>4</th><th>5</th>'
                           '</tr></thead><tbody><tr><td>k</td></tr></tbody></table><input id="flag-filter">'
                           '<img src="http://cdn.invalid/x.png"><script>console.log("hi"); missing();</script>'
                           '</body></html>', ["a"]))
    record, console = load(chromium, page, tmp_path / "profile")
    assert any("missing is not defined" in p for p in record["problems"])
    assert record["sections"] == {"a": False}
    assert record["resources"] == ["http://cdn.invalid/x.png"]
    assert any('"hi"' in line for line in console)
