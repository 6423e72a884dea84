"""Module names follow how a project maps folders to packages (setuptools `package-dir`, hatch,
poetry, the `src/` layout), so imports of the installed names resolve to the folders' files."""

from __future__ import annotations

from pathlib import Path

import pytest

from knightwatch.config import load_config
from knightwatch.source.sources import discover
from projects import check_json, make_project, rules_at

REPO = Path(__file__).resolve().parent.parent

LIB = {
    "engine/__init__.py": "",
    "engine/core.py": """
        from acme.plugins.risk import limit

        def run():
            return limit(3)
    """,
    "plugins/__init__.py": "",
    "plugins/risk.py": """
        def limit(n):
            return min(n, 2)

        def _unused():
            return 0
    """,
}
SETUPTOOLS = """
    [tool.setuptools]
    package-dir = { "acme" = "engine", "acme.plugins" = "plugins" }
"""


def _modules(root: Path) -> dict[str, str]:
    config = load_config(root)
    return {sf.relpath: sf.module for sf in discover(root, config.source, config.exclude, [], config.package_dirs)}


def test_setuptools_package_dir_names_the_folders_by_their_packages(tmp_path):
    root = make_project(tmp_path, LIB, SETUPTOOLS)
    assert _modules(root) == {
        "engine/__init__.py": "acme", "engine/core.py": "acme.core",
        "plugins/__init__.py": "acme.plugins", "plugins/risk.py": "acme.plugins.risk",
    }


def test_an_import_of_the_installed_name_reaches_the_mapped_folder(tmp_path):
    root = make_project(tmp_path, LIB, SETUPTOOLS + '\n[tool.knightwatch]\nentry-points = ["acme.core:run"]\n')
    _, report, _ = check_json(root)
    assert rules_at(report, "KW102") == [("plugins/risk.py", 4)]  # _unused only: limit is reached through acme


@pytest.mark.parametrize("config", [
    "",  # a src/ folder of packages is the src layout even unconfigured
    '[tool.setuptools]\npackage-dir = { "" = "src" }\n',
    '[tool.hatch.build.targets.wheel]\npackages = ["src/acme"]\n',
    '[tool.poetry]\npackages = [{ include = "acme", from = "src" }]\n',
])
def test_src_layouts_name_modules_from_inside_src(tmp_path, config):
    files = {"src/acme/__init__.py": "", "src/acme/core.py": "def run():\n    return 1\n", "tools/gen.py": ""}
    root = make_project(tmp_path, files, config)
    if not config:
        (root / "pyproject.toml").unlink(missing_ok=True)
    assert _modules(root) == {"src/acme/__init__.py": "acme", "src/acme/core.py": "acme.core",
                              "tools/gen.py": "tools.gen"}


def test_hatch_sources_rename_a_folder(tmp_path):
    root = make_project(tmp_path, {"lib/__init__.py": "", "lib/io.py": ""},
                        '[tool.hatch.build.targets.wheel.sources]\n"lib" = "acme"\n')
    assert _modules(root) == {"lib/__init__.py": "acme", "lib/io.py": "acme.io"}


def test_knightwatch_reads_its_own_mapping():
    modules = _modules(REPO)
    assert modules["lint/cli.py"] == "knightwatch.cli"
    assert modules["rules/dead_code.py"] == "knightwatch.rules.dead_code"
    assert modules["lint/output/report/sarif.py"] == "knightwatch.output.report.sarif"


@pytest.mark.parametrize("config", [
    '[tool]\nhatch = "wheel"\npoetry = 3\nsetuptools = []\n',
    '[tool.hatch.build.targets.wheel]\npackages = "src/acme"\n[tool.poetry]\npackages = "acme"\n',
])
def test_packaging_tables_of_the_wrong_type_map_nothing(tmp_path, config):
    root = make_project(tmp_path, {"tools/gen.py": ""}, config)
    assert _modules(root) == {"tools/gen.py": "tools.gen"}
