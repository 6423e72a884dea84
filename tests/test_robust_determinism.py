"""Determinism: the same input gives byte-identical SARIF and JSON, whatever the hash seed, the
process pool, the summary cache or the working directory."""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FORMATS = ["sarif", "json"]
SMARS = Path(__file__).resolve().parent.parent / "fixtures" / "smars"
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d")


def _grow(root, modules: int = 80, seed: int = 6) -> None:
    """Add MODULES generated modules to the SMARS copy ROOT (enough to use the process pool), with
    cross-module calls, dispatch tables, star imports, flag reads and dead code in a fixed pattern."""
    rng = random.Random(seed)
    pkg = root / "smars" / "gen"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    for i in range(modules):
        others = rng.sample(range(modules), 3)
        lines = [f"from smars.gen import m{others[0]}", f"from smars.gen.m{others[1]} import *",
                 "from smars.flags import FlagStore", ""]
        for j in range(5):
            lines += [f"def f{j}(x, flags: FlagStore):",
                      f"    if flags.is_on('gen.flag-{rng.randrange(12)}'):",
                      f"        return m{others[0]}.f{rng.randrange(5)}(x, flags)",
                      f"    return TABLE[{j % 2}](x)", ""]
        lines += [f"TABLE = {{0: f{rng.randrange(5)}, 1: lambda x: x}}", "",
                  f"class C{i}:", f"    def run(self):", f"        return f{rng.randrange(5)}(1, None)", ""]
        (pkg / f"m{i}.py").write_text("\n".join(lines))


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("det") / "smars"
    shutil.copytree(SMARS, root, ignore=shutil.ignore_patterns(".knightwatch_cache", "__pycache__"))
    _grow(root)
    return root


def _run(project, fmt: str, out, *, seed: str, cwd, cache: str | None) -> bytes:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    cache_args = ["--cache-dir", cache] if cache else ["--no-cache"]
    proc = subprocess.run([sys.executable, "-m", "knightwatch", "check", str(project), "--format", fmt, "-o", str(out),
                           "--no-progress", *cache_args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    return out.read_bytes()


@pytest.mark.parametrize("fmt", FORMATS)
def test_two_runs_are_byte_identical(project, tmp_path, fmt):
    cache = str(tmp_path / "cache")
    runs = [
        _run(project, fmt, tmp_path / "a", seed="0", cwd=tmp_path, cache=None),
        _run(project, fmt, tmp_path / "b", seed="12345", cwd=project, cache=None),
        _run(project, fmt, tmp_path / "c", seed="random", cwd=tmp_path, cache=cache),  # fills the cache
        _run(project, fmt, tmp_path / "d", seed="777", cwd=tmp_path, cache=cache),  # read from it
    ]
    assert runs[0] == runs[1] == runs[2] == runs[3]
    text = runs[0].decode()
    assert "smars/gen/" in text and "KW301" in text  # the generated modules and the SMARS findings are there
    assert not TIMESTAMP.search(text)  # no timestamps
