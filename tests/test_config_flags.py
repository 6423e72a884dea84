"""Flags kept in configuration (`[tool.knightwatch.flags]` config-objects, settings-classes,
env-constants): cfgdesk, a bot written unlike SMARS (a config dict on `self.config`, pydantic
settings, Django settings, environment constants), matches its inline expectations exactly; keys
resolve through constants; renamed and deprecated keys; bad configuration is one line."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from expectations import actual_findings, expected_findings

from knightwatch.cli import main
from projects import check_json, make_project, run_hosts, rules_at

CFGDESK = Path(__file__).resolve().parent.parent / "fixtures" / "cfgdesk"


def inventory(root: Path) -> dict[str, dict]:
    result = CliRunner().invoke(main, ["flags", str(root), "--format", "json", "--no-cache"])
    assert result.exit_code == 0, result.output
    return {e["key"]: e for e in json.loads(result.stdout)["flags"]}


def test_cfgdesk_findings_match_inline_expectations_exactly():
    code, report, stderr = check_json(CFGDESK)
    assert code == 1, stderr
    expected = expected_findings(CFGDESK)
    actual = actual_findings(report["findings"])
    assert expected == actual, f"missing: {sorted(expected - actual)}\nunexpected: {sorted(actual - expected)}"


def test_cfgdesk_reads_are_keyed_by_config_path_through_constants():
    flags = inventory(CFGDESK)
    reads = {k: sorted((r["path"].rpartition("/")[2], r["line"], r["via"], r["accessor"]) for r in e["reads"])
             for k, e in flags.items()}
    assert reads["risk.max_notional"] == [("bot.py", 21, "self.config[keys.RISK][keys.MAX_NOTIONAL]",
                                           "config:self.config")]
    assert reads["dry_run"] == [("bot.py", 15, "self.config[keys.DRY_RUN]", "config:self.config"),
                                ("main.py", 18, "DEFAULTS['dry_run']", "config:cfgdesk.defaults.DEFAULTS")]
    # an alias holding a `.get` read, an env constant imported from another module, nested settings
    assert ("legacy.py", 13, "dry", "config:self.config") in reads["midpoint_sweep"]
    assert reads["DESK_PAPER_FILLS"] == [("bot.py", 17, "PAPER_FILLS", "env:os.getenv")]
    assert reads["hedge.enabled"] == [("bot.py", 26, "settings.hedge.enabled", "settings:cfgdesk.settings.DeskSettings")]
    assert reads["SHOW_PNL"] == [("web.py", 10, "settings.SHOW_PNL", "config:django.conf.settings")]
    # a settings method, a local dict's `.get` and the config object alone read no flag
    assert not {"is_paper", "summary"} & set(flags)
    assert all(r[0] != "bot.py" or r[1] not in (31, 34) for rs in reads.values() for r in rs)


def test_without_flag_sources_configured_nothing_is_read_from_config(tmp_path):
    root = tmp_path / "cfgdesk"
    shutil.copytree(CFGDESK, root)
    text = (root / "pyproject.toml").read_text()
    (root / "pyproject.toml").write_text(text.split("config-objects")[0])
    assert set(inventory(root)) == {"dry_run", "midpoint_sweep", "risk.max_notional", "hedge.enabled", "quote_skew",
                                    "SHOW_PNL", "DESK_PAPER_FILLS", "DESK_VERBOSE"}
    assert not any(e["reads"] for e in inventory(root).values())


DESK = {
    "desk/__init__.py": "",
    "desk/keys.py": """
        SWEEP = "midpoint_sweep"
        MODE = SWEEP  # the same key under another name
    """,
    "desk/main.py": """
        import os
        import sys

        from desk.keys import MODE, SWEEP

        QUIET = os.getenv("DESK_QUIET") == "1"


        class Router:
            def __init__(self, config):
                self.config = config

            def route(self, qty):
                if self.config[SWEEP]:
                    return self.sweep(qty)
                if not self.config.get("dry_run", True):
                    return ["sent", qty]
                return ["dry", qty]

            def sweep(self, qty):
                return ["swept", qty]


        def main():
            live = sys.argv[1:] == ["live"]
            router = Router({"midpoint_sweep": False, "dry_run": not live})
            print(router.route(3))
            if not QUIET:
                print("verbose")


        if __name__ == "__main__":
            main()
    """,
}
DESK_CONFIG = """
    [tool.knightwatch]
    source = ["desk"]
    entry-points = ["desk.main:main"]
    coverage = ["prodcov/.coverage.*"]
    [tool.knightwatch.flags]
    config-objects = ["self.config"]
    env-constants = true
"""


def test_config_gated_branch_no_host_ran_is_dormant(tmp_path):
    """Real coverage from three hosts: the sweep branch never ran (KW101); the dry-run branch ran
    on one host only, which is traffic, not dormancy."""
    root = make_project(tmp_path / "desk", DESK, DESK_CONFIG)
    run_hosts(root, "desk", "desk.main", {"a": ["live"], "b": [], "c": []})
    code, report, stderr = check_json(root)
    assert code == 1, stderr
    assert rules_at(report, "KW101") == [("desk/main.py", 15)]
    keys = inventory(root)
    assert keys["midpoint_sweep"]["statuses"] == ["dormant"]
    assert keys["dry_run"]["hosts"] == {"a": "off", "b": "on", "c": "on"}  # read under `not`: polarity kept
    assert keys["DESK_QUIET"]["hosts"] == {"a": "off", "b": "off", "c": "off"}  # through the alias's `not`


@pytest.mark.parametrize(("flags", "message"), [
    ('config-objects = ["config"]', "'config-objects': 'config' is not a dotted name (module.variable) or self.<attribute>"),
    ('config-objects = ["self.a.b"]', "give self.<attribute> (one attribute)"),
    ('settings-classes = ["app.Settings()"]', "'settings-classes': 'app.Settings()' is not a dotted class name"),
    ('env-constants = "yes"', "'env-constants' must be a boolean, not a string"),
    ("env-constants = 1", "'env-constants' must be a boolean, not an integer"),
])
def test_bad_flag_source_configuration_is_one_line(tmp_path, flags, message):
    root = make_project(tmp_path / "p", {"app.py": "x = 1\n"}, f"[tool.knightwatch.flags]\n{flags}\n")
    result = CliRunner().invoke(main, ["check", str(root), "--no-cache"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr


@pytest.mark.parametrize(("entry", "message"), [
    ('renamed-from = 3', "'renamed-from' must be a key or an array of keys"),
    ('deprecated = "soon"', "'deprecated' must be true or false"),
    ('type = "bool"', "type 'bool' is not one of boolean, string, integer, float, object"),
])
def test_bad_registry_rename_fields_are_one_line(tmp_path, entry, message):
    root = make_project(tmp_path / "p", {"app.py": "x = 1\n"}, '[tool.knightwatch.flags]\nregistry = "flags.toml"\n')
    (root / "flags.toml").write_text(f'[flags."a"]\n{entry}\n')
    result = CliRunner().invoke(main, ["check", str(root), "--no-cache"])
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1 and message in result.stderr


def test_module_dicts_instance_attributes_and_environ_subscripts(tmp_path):
    root = make_project(tmp_path / "app", {
        "app/__init__.py": "",
        "app/settings.py": """
            import json

            CONFIG = json.loads("{}")
        """,
        "app/bot.py": """
            import os

            from app import settings as s
            from app.settings import CONFIG as cfg

            DEBUG = "debug"


            class Bot:
                def __init__(self):
                    self.config = {}


            def run(bot: Bot, name):  # the annotation says what bot is
                if cfg.get("risk", {}).get("max_notional"):
                    return 1
                if s.CONFIG[DEBUG]:
                    return 2
                if bot.config["paper"]:
                    return 3
                if os.environ["DESK_LIVE"] == "1":
                    return 4
                if cfg[name]:  # a key no constant gives: no read
                    return 5
                if Bot().config.get("paper"):
                    return 6
                return 0
        """,
    }, """
        [tool.knightwatch.flags]
        config-objects = ["app.settings.CONFIG", "app.bot.Bot.config"]
        env-constants = true
    """)
    reads = {k: [(r["line"], r["accessor"]) for r in e["reads"]] for k, e in inventory(root).items()}
    assert reads == {
        "risk.max_notional": [(15, "config:app.settings.CONFIG")],
        "debug": [(17, "config:app.settings.CONFIG")],
        "paper": [(19, "config:bot.config"), (25, "config:Bot().config")],
        "DESK_LIVE": [(21, "env:os.environ")],
    }


RECYCLED = {
    "desk/__init__.py": "",
    "desk/main.py": """
        import sys


        class Router:
            def __init__(self, config):
                self.config = config

            def route(self, qty):
                if self.config["fast_lane"]:
                    return self.sweep(qty)
                return ["slow", qty]

            def sweep(self, qty):
                return ["swept", qty]


        class OldQuoter:  # 2019: "fast_lane" meant skewing quotes
            def __init__(self, config):
                self.config = config

            def quote(self, qty):
                if self.config.get("fast_lane"):
                    return self.skew(qty)
                return ["quote", qty]

            def skew(self, qty):
                return ["skewed", qty]


        def main():
            config = {"fast_lane": True}
            print(Router(config).route(1))
            if sys.argv[1:] == ["old"]:
                print(OldQuoter(config).quote(1))


        if __name__ == "__main__":
            main()
    """,
}


def test_config_key_gating_other_code_on_a_minority_host_is_recycled(tmp_path):
    """Real coverage: every host routes through the fast lane; one host still runs the old quoter,
    where the same key skews quotes (KW201). Without coverage the same reads are no finding."""
    root = make_project(tmp_path / "desk", RECYCLED, DESK_CONFIG)
    run_hosts(root, "desk", "desk.main", {"a": ["old"], "b": [], "c": []})
    code, report, stderr = check_json(root, "--select", "KW201")
    assert code == 1, stderr
    assert rules_at(report, "KW201") == [("desk/main.py", 22)]
    (finding,) = report["findings"]
    assert "ran on 1 of 3 hosts (a)" in finding["message"] and "desk.main.Router.route" in finding["message"]
    text = (root / "pyproject.toml").read_text().replace('coverage = ["prodcov/.coverage.*"]\n', "")
    (root / "pyproject.toml").write_text(text)
    code, report, stderr = check_json(root, "--select", "KW201")
    assert code == 0 and report["findings"] == [], stderr


def test_fix_keeps_config_reads_and_says_so(tmp_path):
    root = tmp_path / "cfgdesk"
    shutil.copytree(CFGDESK, root)
    git = ["git", "-c", "user.email=kw@example.com", "-c", "user.name=kw"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "cfgdesk"]):
        subprocess.run([*git, *args], cwd=root, check=True, capture_output=True)
    result = CliRunner().invoke(main, ["fix", str(root), "--flag", "midpoint_sweep=off", "--diff"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "# knightwatch fix: cfgdesk/bot.py:19: read of midpoint_sweep kept: it reads configuration "
        "(self.config.get(keys.SWEEP)); fix rewrites flag SDK reads only",
        "# knightwatch fix: cfgdesk/legacy.py:13: read of midpoint_sweep kept: it reads configuration (dry); "
        "fix rewrites flag SDK reads only",
    ]


def test_settings_class_instance_attributes_set_in_init_are_flags(tmp_path):
    """A plain settings class that sets its toggles in `__init__` (from the environment, say): each
    attribute read is a flag read, as a class-level field's is; a method's result is not."""
    root = make_project(tmp_path / "app", {
        "app/__init__.py": "",
        "app/settings.py": """
            import os


            class Settings:
                annotated: bool = False

                def __init__(self):
                    self.enable_x = os.environ.get("X") == "1"

                def describe(self):
                    return "settings"


            settings = Settings()
        """,
        "app/main.py": """
            from app.settings import settings


            def main():
                if settings.enable_x:
                    return 1
                if settings.annotated:
                    return 2
                if settings.describe():
                    return 3
                return 0
        """,
    }, """
        [tool.knightwatch.flags]
        settings-classes = ["app.settings.Settings"]
    """)
    reads = {k: [(r["line"], r["accessor"]) for r in e["reads"]] for k, e in inventory(root).items()}
    assert reads == {"enable_x": [(5, "settings:app.settings.Settings")],
                     "annotated": [(7, "settings:app.settings.Settings")]}


def test_a_local_bound_to_a_section_of_a_config_object_reads_its_keys(tmp_path):
    root = make_project(tmp_path / "app", {
        "app/__init__.py": "",
        "app/main.py": """
            SETTINGS = {}


            class Engine:
                def __init__(self, settings):
                    self.settings = settings

                def route(self):
                    legacy = self.settings.get("legacy", {})
                    if legacy.get("peg"):
                        return 1
                    features = SETTINGS["features"]
                    if features["sweep"]:
                        return 2
                    other = {"sweep": True}
                    if other["sweep"]:
                        return 3
                    if self.settings.get("mode", "off") == "on":
                        return 4
                    return 0


            def main():
                return Engine(SETTINGS).route()
        """,
    }, """
        [tool.knightwatch]
        entry-points = ["app.main:main"]
        [tool.knightwatch.flags]
        config-objects = ["self.settings", "app.main.SETTINGS"]
    """)
    reads = {k: [(r["line"], r["via"]) for r in e["reads"]] for k, e in inventory(root).items()}
    assert reads == {"legacy.peg": [(10, "legacy.get('peg')")], "features.sweep": [(13, "features['sweep']")],
                     "mode": [(18, "self.settings.get('mode', 'off')")]}


def test_getattr_with_a_constant_name_reads_a_setting_and_the_settings_plumbing_does_not(tmp_path):
    # Django's optional-setting idiom, and a lazy settings object whose own `__getattr__` tests
    # `self._wrapped` (settingsdesk probe: a false undeclared `_wrapped` flag, dormant in production)
    root = make_project(tmp_path / "app", {
        "app/__init__.py": "",
        "app/conf.py": """
            import importlib


            class LazySettings:
                _wrapped = None

                def __getattr__(self, name):
                    if self._wrapped is None:
                        self._wrapped = importlib.import_module("app.base")
                    return getattr(self._wrapped, name)


            settings = LazySettings()
        """,
        "app/base.py": "PAPER = True\n",
        "app/main.py": """
            from app.conf import settings


            def main():
                if getattr(settings, "PAPER", False):
                    return 1
                paper = getattr(settings, "PAPER")
                if not paper:
                    return 2
                return 0
        """,
    }, """
        [tool.knightwatch]
        entry-points = ["app.main:main"]
        [tool.knightwatch.flags]
        config-objects = ["app.conf.settings"]
    """)
    reads = {k: [(r["line"], r["via"], r["accessor"]) for r in e["reads"]] for k, e in inventory(root).items()}
    assert reads == {"PAPER": [(5, "settings.PAPER", "config:app.conf.settings"), (8, "paper", "config:app.conf.settings")]}


def test_an_attribute_proxy_reads_the_key_its_getattr_makes_of_the_name(tmp_path):
    # `features.legacy_peg` where `Features.__getattr__` looks up `name.replace("_", "-")` reads
    # "legacy-peg", the key `features.enabled("legacy-peg")` reads too (dispatchdesk probe)
    root = make_project(tmp_path / "app", {
        "app/__init__.py": "",
        "app/flags.py": """
            from contextvars import ContextVar

            current = ContextVar("current", default={})


            class Features:
                def __getattr__(self, name):
                    return current.get().get(name.replace("_", "-"), False)

                def enabled(self, key):
                    return bool(current.get().get(key, False))


            class Shouting:
                def __getattr__(self, attr):
                    return current.get().get(attr.upper(), False)


            features = Features()
            shouting = Shouting()
        """,
        "app/main.py": """
            from app.flags import features, shouting


            def main():
                if features.legacy_peg:
                    return 1
                if features.enabled("legacy-peg"):
                    return 2
                if shouting.dark_pool:
                    return 3
                return 0
        """,
    }, """
        [tool.knightwatch]
        entry-points = ["app.main:main"]
        [tool.knightwatch.flags]
        accessors = ["app.flags.Features.enabled"]
        config-objects = ["app.flags.features", "app.flags.shouting"]
    """)
    reads = {k: sorted(r["line"] for r in e["reads"]) for k, e in inventory(root).items()}
    assert reads == {"legacy-peg": [5, 7], "DARK_POOL": [9]}


def test_configparser_reads_are_keyed_section_dot_option_and_module_toggles_read_through_the_module(tmp_path):
    # scriptdesk probe: an INI desk (`CFG = configparser.ConfigParser()`), toggles computed once at
    # import and tested as `settings.X`, one defaulted and overridden under `global`
    root = make_project(tmp_path / "app", {
        "app/__init__.py": "",
        "app/settings.py": """
            import configparser

            CFG = configparser.ConfigParser()
            CFG.read("desk.ini")
            LEGACY = CFG.getboolean("features", "legacy", fallback=False)
            MAX_QTY = CFG.getint("risk", "max_qty", fallback=5000)
            DARK = False


            def apply_overrides():
                global DARK
                DARK = CFG["venues"].getboolean("dark", fallback=False)
        """,
        "app/main.py": """
            from app import settings
            from app.settings import CFG


            def main(qty):
                if CFG.getboolean("features", "direct", fallback=False):
                    return 1
                if CFG["features"].getboolean("proxy"):
                    return 2
                if CFG.get("desk", "mode", fallback="live") == "paper":
                    return 3
                if settings.LEGACY:
                    return 4
                if settings.DARK:
                    return 5
                if qty > settings.MAX_QTY:
                    return 6
                return 0
        """,
    }, """
        [tool.knightwatch]
        entry-points = ["app.main:main"]
        [tool.knightwatch.flags]
        config-objects = ["app.settings.CFG"]
    """)
    reads = {k: [(r["line"], r["via"]) for r in e["reads"]] for k, e in inventory(root).items()}
    assert reads == {"features.direct": [(6, "CFG.getboolean('features', 'direct')")],
                     "features.proxy": [(8, "CFG['features'].getboolean('proxy')")],
                     "desk.mode": [(10, "CFG.get('desk', 'mode')")],
                     "features.legacy": [(12, "settings.LEGACY")],
                     "venues.dark": [(14, "settings.DARK")]}
