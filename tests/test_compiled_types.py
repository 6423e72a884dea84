"""The modules setup.py compiles pass mypy as mypyc runs it, in the main suite: a type error there
fails the compiled build (and the `compiled` step of .ci/run, minutes later) but never the pure-Python
one, so it is caught here in seconds."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _compiled() -> list[str]:
    """setup.py's COMPILED: the paths, under the package, of the modules it compiles."""
    for node in ast.parse((ROOT / "setup.py").read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "COMPILED" for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError("setup.py has no COMPILED list")


def test_the_compiled_modules_pass_mypy(tmp_path: Path) -> None:
    # staged under the import name, as setup.py stages them (mypy names modules by their folders)
    shutil.copytree(ROOT / "lint", tmp_path / "knightwatch", ignore=shutil.ignore_patterns("__pycache__"))
    paths = [f"knightwatch/{p}" for p in _compiled()]
    run = subprocess.run([sys.executable, "-m", "mypy", f"--config-file={ROOT / 'pyproject.toml'}",
                          "--cache-dir", str(tmp_path / ".mypy_cache"), *paths],
                         cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-1000:]
