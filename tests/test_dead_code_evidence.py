"""KW102 against evidence the call graph cannot see: production coverage (real runs), packaging
entry points, framework callbacks, plugin families and a library's `__all__`."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from knightwatch.output.audit.sections import graph_gaps
from knightwatch.analysis import analyse
from knightwatch.cli import main
from knightwatch.config import load_config
from projects import check_json, make_project, run_hosts

CONFIG = """
[tool.knightwatch]
source = ["bot"]
entry-points = ["bot.main:main"]
coverage = ["prodcov/.coverage.*"]
"""

FILES = {
    "bot/__init__.py": "",
    "bot/main.py": '''
        import importlib
        import sys

        def main(argv=None):
            argv = sys.argv[1:] if argv is None else argv
            if argv:
                module = importlib.import_module(argv[0])
                if len(argv) > 1:
                    getattr(module, argv[1])()

        if __name__ == "__main__":
            main()
    ''',
    "bot/plugins.py": '''
        def loaded_by_name():
            return helper()

        def helper():
            return 1

        def never_loaded():
            return 2

        def one_liner(): return 3
    ''',
    "bot/settings.py": '''
        LIMIT = 10
    ''',
    "bot/unused.py": '''
        def orphan():
            return 4
    ''',
}


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("bot") / "bot", FILES, CONFIG)
    run_hosts(root, "bot", "bot.main", {"a": ["bot.plugins", "loaded_by_name"], "b": ["bot.plugins", "one_liner"], "c": ["bot.settings"]})
    return root


def _dead(report) -> dict[str, dict]:
    return {f["symbol"]: f["properties"] for f in report["findings"] if f["rule"] == "KW102"}


def test_executed_functions_are_never_dead(bot):
    _, report, _ = check_json(bot)
    dead = _dead(report)
    assert "bot.plugins.loaded_by_name" not in dead
    assert "bot.plugins.helper" not in dead  # called by code that ran: alive through it
    assert "bot.plugins.one_liner" not in dead  # judged by the arc into it, not by its def line
    assert "bot.plugins" not in dead
    assert "bot.settings" not in dead  # a module is used by being imported
    drift = {f["symbol"] for f in report["findings"] if f["rule"] == "KW401"}
    assert "bot.plugins.loaded_by_name" in drift and not drift & set(dead)  # ran on 1 of 3, so not dead


def test_dead_code_near_a_graph_gap_loses_confidence(bot):
    _, report, _ = check_json(bot)
    dead = _dead(report)
    assert dead["bot.plugins.never_loaded"]["confidence"] == 40
    assert "cannot reach" in dead["bot.plugins.never_loaded"]["why"]
    assert dead["bot.unused"]["confidence"] == 100  # no host imported it, no string names it


def test_a_module_a_loader_can_name_is_alive(tmp_path):
    files = dict(FILES)
    files["bot/main.py"] = FILES["bot/main.py"].replace("import_module(argv[0])", 'import_module("bot." + argv[0])')
    root = make_project(tmp_path / "bot", files, CONFIG.replace('coverage = ["prodcov/.coverage.*"]', ""))
    _, report, _ = check_json(root)
    assert "bot.unused" not in _dead(report) and "bot.plugins" not in _dead(report)


def test_without_coverage_the_graph_alone_decides(bot):
    config = load_config(bot)
    config.coverage = []
    analysis = analyse(config, coverage=[])
    assert "bot.plugins.loaded_by_name" not in analysis.liveness.alive
    assert analysis.liveness.gaps == []


def test_audit_lists_what_ran_but_the_graph_cannot_reach(bot):
    analysis = analyse(load_config(bot))
    rows = graph_gaps(analysis)
    assert [(r["function"], r["hosts"]) for r in rows] == [
        ("bot.plugins.helper", ["a"]), ("bot.plugins.loaded_by_name", ["a"]), ("bot.plugins.one_liner", ["b"])]


def test_audit_pages_show_the_graph_gaps(bot, tmp_path):
    texts = []
    for fmt, name in (("html", "audit.html"), ("markdown", "audit.md")):
        result = CliRunner().invoke(main, ["audit", str(bot), "--no-cache", "--format", fmt,
                                           "--output", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        texts.append((tmp_path / name).read_text(encoding="utf-8"))
    for text in texts:
        assert "Ran in production, unreachable in the graph" in text
        assert "bot.plugins.loaded_by_name" in text
