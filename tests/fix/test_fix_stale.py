"""`knightwatch fix --stale` on production coverage really recorded per host, and the command's
refusals: dirty git trees, edits that would add a finding, bad options."""

from __future__ import annotations

import subprocess

import pytest
from click.testing import CliRunner
from projects import make_project, run_hosts

from knightwatch.cli import main

CONFIG = """
[tool.knightwatch]
source = ["app"]
entry-points = ["app.main:main"]
coverage = ["prodcov/.coverage.*"]
[tool.knightwatch.flags]
accessors = ["app.flags.Flags.is_on"]
registry = "flags.toml"
config-objects = ["app.main.CONFIG"]
"""

FILES = {
    "app/__init__.py": "",
    "app/flags.py": '''
        """Flag keys and the per-host flag client."""

        NEW_UI = "new-ui"
        BETA = "beta"
        KILL = "kill"
        DARK = "dark-launch"
        SEARCH = "search-v2"
        PROMO = "old-promo"  # taken out of the registry, still read


        class Flags:
            def __init__(self, states):
                self.states = states

            def is_on(self, key):
                return key in self.states
        ''',
    "app/main.py": '''
        import sys

        from app.flags import BETA, DARK, KILL, NEW_UI, PROMO, SEARCH, Flags

        CONFIG = {"paper": False}


        def main(argv=None):
            args = sys.argv[1:] if argv is None else argv
            flags = Flags(set(args[0].split(",")) if args else set())
            ready = len(args) > 1
            out = []
            if flags.is_on(NEW_UI):
                out.append(new_home())
            else:
                out.append(old_home())
            if flags.is_on(BETA):
                out.append("beta")
            if flags.is_on(KILL):
                out.append("halted")
            if flags.is_on(DARK):
                out.append(dark())
            if flags.is_on(SEARCH):
                out.append("search v2")
            if flags.is_on(PROMO):
                out.append(promo())
            if CONFIG["paper"]:
                out.append("paper")
            if ready and flags.is_on(SEARCH):
                out.append("ready")
            else:
                out.append("warming up")
            return out


        def new_home():
            return "new"


        def old_home():
            return "old"


        def dark():
            return "dark"


        def promo():
            return "promo"


        if __name__ == "__main__":
            print(main())
        ''',
    "flags.toml": '''
        [flags."new-ui"]
        kind = "release"

        [flags."beta"]
        kind = "experiment"

        [flags."kill"]
        kind = "kill-switch"

        [flags."dark-launch"]
        kind = "release"

        [flags."search-v2"]
        kind = "release"
        ''',
}

HOSTS = {"web-1": ["new-ui,beta,search-v2"], "web-2": ["new-ui,search-v2"]}


def fix(root, *args):
    result = CliRunner().invoke(main, ["fix", str(root), "--no-cache", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """The project and its production coverage: two hosts really run under coverage.py."""
    root = make_project(tmp_path_factory.mktemp("stale") / "shop", FILES, CONFIG)
    run_hosts(root, "app", "app.main", HOSTS)
    return root


@pytest.fixture
def project(recorded, tmp_path):
    import shutil

    root = tmp_path / "shop"
    shutil.copytree(recorded, root)
    return root


def test_stale_retires_flags_constant_in_production_and_nothing_else(project):
    result = fix(project, "--stale")
    assert result.exit_code == 0, result.stderr
    main_py = (project / "app/main.py").read_text()
    registry = (project / "flags.toml").read_text()
    assert "NEW_UI" not in main_py and "def old_home" not in main_py and "out.append(new_home())" in main_py
    assert "DARK" not in main_py and "def dark" not in main_py  # off on every host: its branch never ran
    assert "PROMO" not in main_py and "def promo" not in main_py
    assert 'if flags.is_on(BETA):' in main_py  # varies between the hosts
    assert 'if flags.is_on(KILL):' in main_py  # a kill switch is dormant by design
    assert "kill: not retired: its kind is kill-switch" in result.stderr
    # on everywhere; `if ready and SEARCH: ... else:` runs its else with SEARCH on too: that else stays
    assert "SEARCH" not in main_py and "if ready:" in main_py and '"warming up"' in main_py
    assert 'if CONFIG["paper"]:' in main_py  # off everywhere, but a configuration read: fix does not rewrite it
    assert "paper: not retired: it is read from configuration only" in result.stderr
    assert '"new-ui"' not in registry and '"dark-launch"' not in registry and '"search-v2"' not in registry
    run = subprocess.run(["python", "-m", "app.main", "beta,kill"], cwd=project, capture_output=True, text=True)
    assert run.returncode == 0 and run.stdout.strip() == "['new', 'beta', 'halted', 'search v2', 'warming up']"
    assert fix(project, "--stale").exit_code == 0
    assert (project / "app/main.py").read_text() == main_py  # idempotent


def test_dead_retires_a_flag_gone_from_the_registry_behind_a_dormant_region(project):
    result = fix(project, "--dead")
    assert result.exit_code == 0, result.stderr
    main_py = (project / "app/main.py").read_text()
    assert "PROMO" not in main_py and "def promo" not in main_py
    assert "PROMO" not in (project / "app/flags.py").read_text()
    assert "if flags.is_on(DARK):" in main_py  # dormant too, but still declared: --stale's business


def _git(root, *args):
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@t", "PATH": "/usr/bin:/bin", "HOME": str(root)})


def test_a_dirty_git_tree_is_refused_unless_allowed(project):
    _git(project, "init", "-q")
    _git(project, "add", "-A")
    _git(project, "commit", "-qm", "start")
    (project / "app/flags.py").write_text((project / "app/flags.py").read_text() + "# local edit\n")
    before = (project / "app/main.py").read_text()
    result = fix(project, "--flag", "new-ui=on")
    assert result.exit_code == 2
    assert result.stderr.startswith("knightwatch: error: fix: the git work tree has uncommitted changes (app/flags.py)")
    assert (project / "app/main.py").read_text() == before
    assert fix(project, "--flag", "new-ui=on", "--diff").exit_code == 0  # a diff writes nothing: allowed
    assert fix(project, "--flag", "new-ui=on", "--allow-dirty").exit_code == 0
    assert "old_home" not in (project / "app/main.py").read_text()


def test_an_edit_that_would_add_a_finding_writes_nothing(project):
    """Only main.py selected: the module only the deleted branch used is outside the selection, so
    it would stay behind unreachable, a new KW102: the fix is refused, naming it."""
    (project / "app/homes.py").write_text("def old_home():\n    return 'old'\n")
    text = (project / "app/main.py").read_text().replace('def old_home():\n    return "old"\n', "")
    (project / "app/main.py").write_text("from app.homes import old_home\n" + text)
    before = {p: p.read_text() for p in project.rglob("*.py")}
    result = fix(project, "--flag", "new-ui=on", "--select", "app/main.py")
    assert result.exit_code == 2
    *warnings, error = result.stderr.splitlines()  # the coverage was recorded before this test's edit
    assert all(w.startswith("knightwatch: warning: ") for w in warnings)
    assert error == "knightwatch: error: fix: the edit of app/homes.py would add a KW102 finding (app.homes); nothing written"
    assert {p: p.read_text() for p in project.rglob("*.py")} == before


@pytest.mark.parametrize("args, message", [
    (["--flag", "new-ui"], "--flag 'new-ui': expected KEY=on or KEY=off"),
    (["--flag", "new-ui=maybe"], "--flag 'new-ui=maybe': expected KEY=on or KEY=off"),
    (["--flag", "new-ui=on", "--flag", "new-ui=off"], "--flag new-ui: given both on and off"),
    ([], "fix: nothing to do: give --flag KEY=on|off, --stale or --dead"),
])
def test_bad_options_are_one_line_errors(project, args, message):
    result = fix(project, *args)
    assert result.exit_code == 2
    assert result.stderr == f"knightwatch: error: {message}\n"


def test_an_unknown_flag_changes_nothing_and_says_so(project):
    result = fix(project, "--flag", "no-such-flag=on")
    assert result.exit_code == 0
    assert "no-such-flag: read nowhere and not in the registry: nothing to retire" in result.stderr
    assert "0 files changed" in result.stderr


def test_a_file_git_does_not_track_is_not_edited_unless_allowed(project):
    (project / ".gitignore").write_text("prodcov/\n")
    _git(project, "init", "-q")
    _git(project, "add", "app/flags.py", "app/__init__.py", "flags.toml", "pyproject.toml", ".gitignore")
    _git(project, "commit", "-qm", "start")
    before = (project / "app/main.py").read_text()
    result = fix(project, "--flag", "new-ui=on")
    assert result.exit_code == 2
    assert result.stderr.endswith("knightwatch: error: fix: app/main.py is not tracked by git: the edit could not "
                                  "be undone; commit it first, or pass --allow-dirty\n")
    assert (project / "app/main.py").read_text() == before
    assert fix(project, "--flag", "new-ui=on", "--allow-dirty").exit_code == 0


def test_line_endings_and_encoding_are_kept(project):
    text = (project / "app/main.py").read_text()
    latin = "# -*- coding: latin-1 -*-\n# caf\u00e9\n" + text
    (project / "app/main.py").write_bytes(latin.replace("\n", "\r\n").encode("latin-1"))
    assert fix(project, "--flag", "new-ui=on").exit_code == 0
    data = (project / "app/main.py").read_bytes()
    assert data.startswith(b"# -*- coding: latin-1 -*-\r\n# caf\xe9\r\n")
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    assert b"old_home" not in data and b"new_home()" in data
