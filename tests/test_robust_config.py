"""Bad configuration: one clear line naming the file and the key, exit 2, never a traceback."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from knightwatch.cli import main
from projects import make_project

SOURCES = {
    "app/__init__.py": "",
    "app/main.py": """
        from app.venue import send

        def main():
            send(1)
    """,
    "app/venue.py": """
        def send(qty):
            return qty
    """,
}


def _error(tmp_path, config: str, extra: dict[str, str] | None = None, raw: bytes | None = None) -> str:
    """Run check on a project with CONFIG; assert exit 2 with exactly one error line and return it."""
    root = make_project(tmp_path, {**SOURCES, **(extra or {})}, config)
    if raw is not None:
        (root / "pyproject.toml").write_bytes(raw)
    result = CliRunner().invoke(main, ["check", str(root), "--no-cache", "--format", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("knightwatch: error: "), result.stderr
    return lines[0]


@pytest.mark.parametrize("config, key, says", [
    ("[tool.knightwatch]\nsorce = ['app']\n", "'sorce'", "unknown key"),
    ("[tool.knightwatch.flags]\nregistri = 'flags.toml'\n", "'registri'", "unknown key"),
    ("[tool.knightwatch.safety]\nsink = ['app.venue.send']\n", "'sink'", "unknown key"),
    ("[tool.knightwatch]\nsource = 'app'\n", "'source'", "must be an array, not a string"),
    ("[tool.knightwatch]\nmax-file-size = '2MB'\n", "'max-file-size'", "must be an integer, not a string"),
    ("[tool.knightwatch]\nmax-file-size = true\n", "'max-file-size'", "must be an integer, not a boolean"),
    ("[tool.knightwatch]\nmax-file-size = 0\n", "'max-file-size'", "positive"),
    ("[tool.knightwatch]\nexclude = [1, 2]\n", "'exclude'", "array of strings"),
    ("[tool.knightwatch]\nfail-on = 2012-08-01\n", "'fail-on'", "must be a string, not a date"),
    ("[tool.knightwatch]\nfail-on = 'sometimes'\n", "'fail-on'", "critical, high, medium or low"),
    ("[tool.knightwatch]\nflags = ['x']\n", "'flags'", "must be a table, not an array"),
    ("[tool.knightwatch.paths]\napp = '/deploy/app'\n", "'app'", "array of strings"),
    ("[tool.knightwatch]\nentry-points = ['app.main.main']\n", "'entry-points'", "not 'module:function'"),
    ("[tool.knightwatch]\nsource = ['/etc']\n", "'source'", "outside the project"),
    ("[tool.knightwatch]\nsource = ['../elsewhere']\n", "'source'", "outside the project"),
    ("[tool.knightwatch]\nsource = ['nope']\n", "'source'", "not a directory or a .py file"),
    ("[tool.knightwatch]\nselect = ['KW1', 'KW999']\n", "'select'", "unknown rule code 'KW999'"),
    ("[tool.knightwatch]\nignore = ['dead-cod']\n", "'ignore'", "unknown rule code 'DEAD-COD'"),
])
def test_bad_key_or_type_names_the_key_and_the_file(tmp_path, config, key, says):
    line = _error(tmp_path, config)
    assert f"{tmp_path / 'pyproject.toml'}:" in line
    assert key in line and says in line


@pytest.mark.parametrize("config, says", [
    ("[tool.knightwatch]\nentry-points = ['app.main:nope']\n", "entry point 'app.main:nope' not found"),
    ("[tool.knightwatch]\nentry-points = ['app.gone:main']\n", "entry point 'app.gone:main' not found"),
    ("[tool.knightwatch.safety]\nsinks = ['app.venue.sned']\n", "sink 'app.venue.sned' not found"),
    ("[tool.knightwatch.safety]\nsinks = ['app.venue.send']\nbreakers = ['app.risk.check']\n",
     "breaker 'app.risk.check' not found"),
])
def test_entry_points_and_sinks_that_do_not_exist(tmp_path, config, says):
    line = _error(tmp_path, config)
    assert f"{tmp_path / 'pyproject.toml'}:" in line and says in line


@pytest.mark.parametrize("registry, says", [
    ('[flags."routing.mode-7"]\ncreated = "2012-02-30"\n', "'created' must be a date (YYYY-MM-DD), not '2012-02-30'"),
    ('[flags."routing.mode-7"]\nexpires = "next year"\n', "'expires' must be a date"),
    ('[flags."routing.mode-7"]\nexpires = 20120801\n', "'expires' must be a date"),
    ('[flags."routing.mode-7"]\ncreated = 2012-13-45\n', "invalid TOML"),
    ('[flags."routing.mode-7"]\nkind = "sometimes"\n', "kind 'sometimes' is not one of"),
    ('[flags."routing.mode-7"]\nowner = "a"\ncolour = "red"\n', "unknown field 'colour'"),
    ("flags = 3\n", "[flags] must be a table"),
])
def test_registry_errors_name_the_flag_and_the_file(tmp_path, registry, says):
    line = _error(tmp_path, "[tool.knightwatch.flags]\nregistry = 'flags.toml'\n", {"flags.toml": registry})
    assert f"{tmp_path / 'flags.toml'}:" in line and says in line
    if "invalid TOML" not in says and "[flags]" not in says:
        assert "'routing.mode-7'" in line


def test_missing_registry_names_the_key(tmp_path):
    line = _error(tmp_path, "[tool.knightwatch.flags]\nregistry = 'gone.toml'\n")
    assert "gone.toml" in line and "registry" in line


@pytest.mark.parametrize("raw, says", [
    (b"[tool.knightwatch\nsource = []\n", "invalid TOML"),
    (b"[tool.knightwatch]\nsource = ['\xff']\n", "not UTF-8"),
    (b"x = " + b"[" * 5000 + b"]" * 5000 + b"\n", "nested too deeply"),
    (b"tool = 'knightwatch'\n", r"\[tool\] must be a table"),
    (b"[tool]\nknightwatch = 1\n", r"\[tool.knightwatch\] must be a table"),
])
def test_unreadable_pyproject(tmp_path, raw, says):
    line = _error(tmp_path, "", raw=raw)
    assert re.search(rf"{re.escape(str(tmp_path / 'pyproject.toml'))}: .*{says}", line), line
