"""The flag inventory on a small project with hand-made per-host coverage data (no code is run)."""

from __future__ import annotations

import io
import textwrap

import pytest
from coverage import CoverageData

from knightwatch.source.cache import Cache
from knightwatch.config import load_config
from knightwatch.engine import check
from knightwatch.output.inventory import build_inventory, format_age, state_text, to_csv, to_table

MAIN = '''\
from app.store import flags

SOLO = "feat.solo"
ALIAS = "feat.solo"
GUARDED = "feat.guarded"
NEVER = "feat.never"
KILL = "feat.kill"


def run(retail):
    if flags.is_on(SOLO):
        solo_on()
    else:
        solo_off()
    if retail and flags.is_on(GUARDED):
        guarded_on()
    if flags.is_on(NEVER):
        never_on()
    if flags.is_on(KILL):
        return
    if not flags.is_on(ALIAS):
        solo_off()


def solo_on():
    return 1


def solo_off():
    return 2


def guarded_on():
    return 3


def never_on():
    return 4
'''

STORE = '''\
class Flags:
    def is_on(self, key):
        return False


flags = Flags()
'''

REGISTRY = '''\
[flags."feat.solo"]
owner = "desk-a"
kind = "release"
created = 2020-01-01
expires = 2021-01-01

[flags."feat.never"]
owner = "desk-b"
created = 2026-10-24

[flags."feat.kill"]
owner = "risk"
kind = "kill-switch"

[flags."feat.unused"]
owner = "desk-c"
'''

PYPROJECT = '''\
[tool.knightwatch]
source = ["app"]
entry-points = ["app.main:run"]
coverage = ["cov/.coverage.*"]
[tool.knightwatch.flags]
accessors = ["app.store.Flags.is_on"]
registry = "flags.toml"
'''


def _line(text: str) -> int:
    return next(i for i, line in enumerate(MAIN.splitlines(), 1) if line.strip() == text)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("flagged")
    (root / "app").mkdir()
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "main.py").write_text(MAIN)
    (root / "app" / "store.py").write_text(STORE)
    (root / "flags.toml").write_text(REGISTRY)
    (root / "pyproject.toml").write_text(PYPROJECT)
    (root / "cov").mkdir()
    common = [_line("def run(retail):"), _line("if flags.is_on(SOLO):"), _line("if retail and flags.is_on(GUARDED):"),
              _line("if flags.is_on(NEVER):"), _line("if flags.is_on(KILL):"), _line("if not flags.is_on(ALIAS):")]
    on = [_line("solo_on()"), _line("guarded_on()")]
    off = [_line("solo_off()")]
    for host, lines in {"h1": common + on, "h2": common + off, "h3": common + [on[0]] + off}.items():
        data = CoverageData(basename=str(root / "cov" / f".coverage.{host}"))
        data.add_lines({f"/srv/{host}/release/app/main.py": lines})
        data.write()
    result, analysis = check(load_config(root), cache=Cache(None))
    return {e["key"]: e for e in build_inventory(analysis, result.findings)}


def test_every_key_with_its_registry_data(project):
    assert sorted(project) == ["feat.guarded", "feat.kill", "feat.never", "feat.solo", "feat.unused"]
    solo = project["feat.solo"]
    assert (solo["owner"], solo["kind"], solo["created"], solo["expires"]) == ("desk-a", "release", "2020-01-01",
                                                                             "2021-01-01")
    assert solo["age_days"] == 2518 and format_age(solo["age_days"]) == "6y 10m"  # KNIGHTWATCH_TODAY=2026-11-23
    assert solo["aliases"] == ["ALIAS", "SOLO"]
    assert [(r["line"], r["via"]) for r in solo["reads"]] == [(_line("if flags.is_on(SOLO):"), "SOLO"),
                                                              (_line("if not flags.is_on(ALIAS):"), "ALIAS")]
    assert project["feat.guarded"]["declared"] is False and project["feat.guarded"]["kind"] == ""


def test_statuses(project):
    assert {k: e["statuses"] for k, e in project.items()} == {
        "feat.guarded": ["undeclared"],
        "feat.kill": ["live"],  # off everywhere, but a kill switch is dormant by design
        "feat.never": ["dormant"],
        "feat.solo": ["expired"],
        "feat.unused": ["orphaned"],
    }
    assert all(e["status"] == e["statuses"][0] for e in project.values())


def test_production_state_per_host(project):
    solo = project["feat.solo"]
    assert solo["hosts"] == {"h1": "on", "h2": "off", "h3": "mixed"}
    assert solo["state"] == "varies" and state_text(solo) == "varies: on 1, off 1, mixed 1"
    # `retail and is_on(...)`: the body not running says nothing about the flag
    guarded = project["feat.guarded"]
    assert guarded["hosts"] == {"h1": "on", "h2": None, "h3": None} and state_text(guarded) == "on 1/3"
    # a sole test with no else: the test ran and its body never did
    assert project["feat.never"]["hosts"] == {"h1": "off", "h2": "off", "h3": "off"}
    assert state_text(project["feat.never"]) == "off 3/3"
    assert project["feat.unused"]["state"] is None and state_text(project["feat.unused"]) == ""


def test_csv(project):
    lines = to_csv(sorted(project.values(), key=lambda e: e["key"])).splitlines()
    assert lines[0] == "key,status,statuses,kind,owner,created,expires,age_days,state,hosts,aliases,reads"
    solo = next(line for line in lines if line.startswith("feat.solo,"))
    assert ",varies,h1=on;h2=off;h3=mixed,ALIAS;SOLO," in solo


@pytest.mark.parametrize("days, text", [(None, ""), (-3, "future"), (0, "0d"), (29, "29d"), (45, "1m"),
                                        (365, "1y"), (800, "2y 2m")])
def test_format_age(days, text):
    assert format_age(days) == text


def test_no_registry_no_coverage(tmp_path):
    (tmp_path / "app.py").write_text(textwrap.dedent('''\
        import launchdarkly
        def main(client):
            if client.variation("beta.ui"):
                return 1
        '''))
    result, analysis = check(load_config(tmp_path), cache=Cache(None))
    [entry] = build_inventory(analysis, result.findings)
    assert entry["key"] == "beta.ui" and entry["statuses"] == ["live"] and entry["hosts"] == {}


def test_table_shows_markup_literally(project):
    from rich.console import Console

    entry = dict(project["feat.unused"], owner="[bold]desk[/bold]", key="feat.[x]")
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(to_table([entry]))
    text = console.export_text()
    assert "[bold]desk[/bold]" in text and "feat.[x]" in text
