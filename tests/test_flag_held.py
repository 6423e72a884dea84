"""A flag read kept and tested later is a read of that flag where it is tested: stored in an attribute
(`self.legacy = client.variation(...)`, `if self.legacy:` in another method), in a module-level name,
or passed as an argument and tested as the parameter; a function returning a flag read of the key it
is given (`enabled(key)`) reads that key where it is called (real runs under coverage)."""

from __future__ import annotations

import pytest

from projects import check_json, make_project, run_hosts

CONFIG = """
[tool.knightwatch]
source = ["app"]
entry-points = ["app.main:main"]
coverage = ["prodcov/.coverage.*"]

[tool.knightwatch.flags]
accessors = ["app.flags.Client.variation"]
registry = "flags.toml"
"""

REGISTRY = """
[flags.legacy-peg]
owner = "desk"

[flags.fast-path]
owner = "desk"

[flags.night-mode]
owner = "desk"

[flags.kept-only]
owner = "desk"

[flags.unused]
owner = "desk"

[flags.wrapped]
owner = "desk"

[flags.ternary]
owner = "desk"
"""

FLAGS = '''
import os


class Client:
    def variation(self, key, default):
        return key in os.environ.get("FLAGS", "").split(",")
'''

MAIN = '''
from app.flags import Client

CLIENT = Client()
NIGHT = CLIENT.variation("night-mode", False)


def peg():
    return 1


def fast():
    return 2


def night():
    return 3


class Router:
    def __init__(self, client):
        self.legacy = client.variation("legacy-peg", False)

    def route(self):
        if self.legacy:
            peg()


def run(quick):
    if quick:
        fast()


def sweep():
    if NIGHT:
        night()


def remember(client):
    return client.variation("kept-only", False)


def enabled(key):
    return bool(CLIENT.variation(key, False))


def is_on(name):
    return enabled(name)


def wrapped():
    if is_on("wrapped"):
        peg()
    return peg() if CLIENT.variation("ternary", False) else 0


def main():
    Router(CLIENT).route()
    run(CLIENT.variation("fast-path", False))
    sweep()
    remember(CLIENT)
    wrapped()


if __name__ == "__main__":
    main()
'''


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("app") / "app",
                        {"app/__init__.py": "", "app/flags.py": FLAGS, "app/main.py": MAIN,
                         "flags.toml": REGISTRY}, CONFIG)
    run_hosts(root, "app", "app.main", {"h1": [], "h2": []})
    code, found, err = check_json(root)
    assert code == 1, err
    return found


def _line(text: str) -> int:
    return MAIN.lstrip("\n").splitlines().index(text) + 1


def test_branches_on_a_kept_flag_value_are_gated_by_that_flag(report):
    dormant = {(f["line"], f["properties"]["flag"]) for f in report["findings"]
               if f["rule"] == "KW101" and "flag" in f["properties"]}
    # a one-line `a if flag else b` ran whichever side did: line coverage cannot tell (no finding)
    assert dormant == {(_line("            peg()"), "legacy-peg"), (_line("        fast()"), "fast-path"),
                       (_line("        night()"), "night-mode"), (_line("        peg()"), "wrapped")}


def test_a_flag_read_whose_value_is_kept_is_read(report):
    # only `unused` is read nowhere; `kept-only` is read, its value returned
    assert [f["message"] for f in report["findings"] if f["rule"] == "KW202"] == [
        "flag 'unused' is declared (owner desk) but no code reads it"]


def test_a_read_kept_in_a_module_is_read_where_tested_as_its_attribute(tmp_path):
    # scriptdesk probe: `RLP = client.is_on("rlp")` in settings, tested as `settings.RLP`, and read
    # again under `global` by a reload
    import json

    from click.testing import CliRunner

    from knightwatch.cli import main

    root = make_project(tmp_path / "app", {
        "app/__init__.py": "",
        "app/settings.py": '''
            class Client:
                def is_on(self, key):
                    return False


            client = Client()
            RLP = client.is_on("rlp")


            def reload():
                global RLP
                RLP = client.is_on("rlp")
        ''',
        "app/main.py": '''
            from app import settings


            def main():
                if settings.RLP:
                    return 1
                return 0
        ''',
    }, '[tool.knightwatch]\nentry-points = ["app.main:main"]\n[tool.knightwatch.flags]\n'
       'accessors = ["app.settings.Client.is_on"]\n')
    result = CliRunner().invoke(main, ["flags", str(root), "--format", "json", "--no-cache"])
    assert result.exit_code == 0, result.output
    [entry] = json.loads(result.stdout)["flags"]
    assert entry["key"] == "rlp" and [(r["path"], r["line"]) for r in entry["reads"]] == [("app/main.py", 5)]
