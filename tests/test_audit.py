"""The audit of the SMARS fixture: the model, the HTML page and the Markdown rendering."""

from __future__ import annotations

import json
import re
import sys
from html.parser import HTMLParser

import pytest

from knightwatch.output.audit import build, dumps, render
from knightwatch.output.audit.html import SECTIONS
from knightwatch.source.cache import Cache
from knightwatch.config import load_config
from knightwatch.engine import check

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

PEG_BRANCH = "if routing.mode-7 (PEG_ORDERS) in route"


def audit_of(project, previous=None):
    """(model, RunResult, Analysis) of PROJECT with every rule, no cache."""
    result, analysis = check(load_config(project), cache=Cache(None))
    return build(result, analysis, previous=previous), result, analysis


@pytest.fixture(scope="module")
def smars():
    from pathlib import Path

    return audit_of(Path(__file__).resolve().parent.parent / "fixtures" / "smars")


class Page(HTMLParser):
    """Table rows per section: each cell as (text, title attribute)."""

    def __init__(self, text: str):
        super().__init__()
        self.section = None
        self.rows: dict[str, list[list[tuple[str, str]]]] = {}
        self.cell = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section":
            self.section = attrs["id"]
        elif tag == "tr":
            self.rows.setdefault(self.section, []).append([])
        elif tag in ("td", "th"):
            self.cell = ["", attrs.get("title") or ""]

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.rows[self.section][-1].append((" ".join(self.cell[0].split()), self.cell[1]))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell[0] += data


def test_model_is_plain_json_and_deterministic(smars, smars_dir):
    model, _, _ = smars
    assert json.loads(dumps(model)) == model
    again, _, _ = audit_of(smars_dir)
    assert dumps(again) == dumps(model)
    assert render("html", again) == render("html", model)
    assert model["schema"] == "knightwatch-audit/1" and model["project"] == "smars"
    assert model["generated"] == "2026-11-23"  # KNIGHTWATCH_TODAY, pinned in conftest


def test_generated_date_follows_knightwatch_today(smars_dir, monkeypatch):
    monkeypatch.setenv("KNIGHTWATCH_TODAY", "2012-08-01")
    model, _, _ = audit_of(smars_dir)
    assert model["generated"] == "2012-08-01"
    dormant = {f["name"]: f for m in model["dormant"] for f in m["functions"]}
    sweep = dormant["smars.router.SmartOrderRouter._sweep_midpoint"]
    assert (sweep["flag"], sweep["flag_created"], sweep["flag_age_days"]) == ("routing.midpoint-sweep", "2012-07-09", 23)


def test_headline_ranks_legacy_code_reaching_a_sink_first(smars):
    model, result, _ = smars
    assert model["summary"]["by_severity"] == {"critical": 2, "high": 2, "medium": 1, "low": 3}
    by_fp = {f["fingerprint"]: f for f in model["findings"]}
    top = [by_fp[fp] for fp in model["top_risks"]]
    assert [(f["rule"], f["path"], f["line"]) for f in top[:3]] == [
        ("KW201", "smars/router.py", 52), ("KW401", "smars/router.py", 53), ("KW101", "smars/router.py", 59)]
    assert all(f["legacy"] and f["reaches_sink"] for f in top[:3])
    assert top[3]["rule"] == "KW301"  # the unguarded sink itself, after the legacy code that wakes it
    assert {f.fingerprint for f in result.findings} == set(by_fp)


def test_dormant_drift_and_safety_sections(smars):
    model, _, _ = smars
    dormant = {m["path"]: m for m in model["dormant"]}
    assert not dormant["smars/legacy/fix42_bridge.py"]["imported"]
    router = dormant["smars/router.py"]
    regions = {(r["flag"], r["by_design"]) for r in router["regions"]}
    assert regions == {("risk.kill-switch", True), ("routing.midpoint-sweep", False)}
    rows = {r["label"]: r for r in model["drift"]["rows"]}
    assert rows[PEG_BRANCH]["hosts"] == ["nyc-smars-08"] and rows[PEG_BRANCH]["minority"]
    assert rows["smars.legacy.power_peg.execute"]["hosts"] == ["nyc-smars-08"]
    assert len(rows["smars.reports.report_fills"]["hosts"]) == 4
    [sink] = model["safety"]
    guards = {(s["path"], s["line"]): s["guarded"] for s in sink["sites"]}
    assert guards == {("smars/legacy/power_peg.py", 28): False, ("smars/rlp.py", 52): True,
                      ("smars/router.py", 93): True}
    unguarded = next(s for s in sink["sites"] if s["guarded"] is False)
    assert unguarded["route"][0] == "smars.server.main" and unguarded["route"][-1] == "smars.legacy.power_peg.execute"


def test_graph_around_each_critical_finding(smars):
    model, result, _ = smars
    critical = [f for f in result.active if f.severity.label == "critical"]
    assert [g["finding"] for g in model["graphs"]] == [f.fingerprint for f in critical]
    breaker = next(g for g in model["graphs"] if g["rule"] == "KW301")
    kinds = {n["id"]: n["kind"] for n in breaker["nodes"]}
    assert kinds["smars.venues.Gateway.send"] == "sink" and kinds["smars.risk.check_cumulative"] == "breaker"
    assert kinds["flag:routing.mode-7"] == "flag" and kinds["smars.server.main"] == "entry"
    edges = {(e["source"], e["target"]): e for e in breaker["edges"]}
    assert edges["smars.legacy.power_peg.execute", "smars.venues.Gateway.send"]["unguarded"]
    assert not edges["smars.router.SmartOrderRouter._send_child", "smars.venues.Gateway.send"]["unguarded"]
    assert edges["smars.router.SmartOrderRouter.route", "smars.legacy.power_peg.execute"]["label"] == \
        "if routing.mode-7"


def test_html_holds_every_section_critical_finding_and_flag(smars, smars_dir):
    model, result, analysis = smars
    page = render("html", model)
    for sid, title in SECTIONS:
        assert f'<section id="{sid}"><h2>{title}</h2>' in page
    for f in result.active:
        if f.severity.label == "critical":
            assert page.count(html_escape(f.message)) >= 2  # top risks, all findings (and the graph caption)
    registry = tomllib.loads((smars_dir / "flags.toml").read_text())["flags"]
    code_keys = set(analysis.flags.by_key())
    flag_rows = Page(page).rows["flags"][1:]
    assert {row[0][0] for row in flag_rows} == set(registry) | code_keys
    assert page.count("<svg") == 2 + len(model["graphs"]) + 1 + 1  # charts: severity, rule; graphs; statuses; dormant


def test_html_drift_table_shows_one_host_on_power_peg(smars):
    page = Page(render("html", smars[0]))
    header, *rows = page.rows["drift"]
    assert [title for _, title in header[2:]] == [f"nyc-smars-0{i}" for i in range(1, 9)]
    peg = next(r for r in rows if r[0][0] == f"branch {PEG_BRANCH}")
    assert [title for text, title in peg[2:] if text == "●"] == ["nyc-smars-08: ran"]
    assert peg[1][0] == "smars/router.py:53"


def test_html_is_self_contained(smars):
    page = render("html", smars[0])
    for needle in (" src=", "href=\"http", "@import", "<link"):
        assert needle not in page
    refs = re.findall(r"url\(([^)]*)\)", page)
    assert refs and all(ref.startswith("#") for ref in refs)  # SVG markers of the page itself
    assert page.count('xmlns="http://www.w3.org/2000/svg"') == page.count("<svg")


def test_html_escapes_what_it_shows(smars):
    model = json.loads(dumps(smars[0]))
    model["project"] = "<script>alert(1)</script>"
    model["flags"][0]["owner"] = "a&b <x>"
    page = render("html", model)
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "a&amp;b &lt;x&gt;" in page


def test_markdown(smars):
    model = smars[0]
    text = render("markdown", model)
    for heading in ("# Legacy-risk audit: smars", "## Headline", "### Top risks", "## Flag inventory",
                    "## Dormant code", "## Host drift", "## Safety paths", "## Trend"):
        assert f"\n{heading}\n" in f"\n{text}"
    peg = next(line for line in text.splitlines() if PEG_BRANCH in line)
    assert peg.endswith("| · | · | · | · | · | · | · | ● |")
    assert "| ✖ **unguarded** | `smars/legacy/power_peg.py:28` |" in text
    for entry in model["flags"]:
        assert f"| `{entry['key']}` |" in text


def test_no_coverage_no_sinks(tmp_path):
    (tmp_path / "app.py").write_text("def main():\n    return 1\n")
    model, _, _ = audit_of(tmp_path)
    assert model["hosts"] == [] and model["dormant"] == [] and model["safety"] == [] and model["graphs"] == []
    page = render("html", model)
    assert "No production coverage was given" in page and "No sinks configured" in page
    assert "No previous audit given" in render("markdown", model)


def html_escape(text: str) -> str:
    from html import escape

    return escape(text, quote=True)


def test_the_calls_of_a_decorated_sink_are_listed_guarded_or_not(tmp_path):
    """A call of a sink under a `functools.wraps` retry decorator resolves to the wrapper: the audit
    still lists it (as KW301 finds it) instead of "Nothing calls this sink"."""
    from projects import make_project

    from knightwatch.output.audit.sections import safety_paths

    root = make_project(tmp_path / "app", {"app/__init__.py": "", "app/__main__.py": """
        import functools

        def retrying(fn):
            @functools.wraps(fn)
            def retried(*args, **kwargs):
                return fn(*args, **kwargs)
            return retried

        def approve(qty):
            if qty > 100:
                raise ValueError(qty)

        class Venue:
            @retrying
            def transmit(self, qty):
                print("sent", qty)

        def main():
            approve(10)
            Venue().transmit(10)

        def unguarded():
            Venue().transmit(30)
    """}, """
        [tool.knightwatch]
        source = ["app"]
        entry-points = ["app.__main__:main", "app.__main__:unguarded"]

        [tool.knightwatch.safety]
        sinks = ["app.__main__.Venue.transmit"]
        breakers = ["app.__main__.approve"]
    """)
    model, _, analysis = audit_of(root)
    (sink,) = safety_paths(analysis)
    assert [(s["line"], s["caller"], s["guarded"]) for s in sink["sites"]] == [
        (20, "app.__main__.main", True), (23, "app.__main__.unguarded", False)]
    assert {m["key"]: m["value"] for m in model["metrics"]}["safety.unguarded"] == 1


def test_a_checked_sink_call_in_a_handler_found_at_run_time_is_guarded(tmp_path):
    """A handler that no chain of calls reaches (picked by introspection) but production ran, and
    that checks before it sends, is listed as guarded, not as unreachable."""
    from projects import make_project, run_hosts

    from knightwatch.output.audit.sections import safety_paths

    root = make_project(tmp_path / "app", {"app/__init__.py": "", "app/main.py": """
        import inspect

        def approve(qty):
            if qty > 100:
                raise ValueError(qty)

        class Venue:
            def transmit(self, qty):
                print("sent", qty)

        class Session:
            def __init__(self):
                self.table = {n: m for n, m in inspect.getmembers(self, inspect.ismethod) if n.startswith("on_")}

            def on_new(self, qty):
                approve(qty)
                Venue().transmit(qty)

        def main():
            Session().table["on_new"](1)

        if __name__ == "__main__":
            main()
    """}, """
        [tool.knightwatch]
        source = ["app"]
        entry-points = ["app.main:main"]
        coverage = ["prodcov/.coverage.*"]

        [tool.knightwatch.safety]
        sinks = ["app.main.Venue.transmit"]
        breakers = ["app.main.approve"]
    """)
    run_hosts(root, "app", "app.main", {"h1": []})
    (sink,) = safety_paths(audit_of(root)[2])
    (site,) = sink["sites"]
    assert (site["caller"], site["guarded"]) == ("app.main.Session.on_new", True)
    assert site["how"].startswith("app.main.approve runs first")
