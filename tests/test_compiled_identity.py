"""The compiled build (mypyc, from the same source: setup.py) gives byte-identical results to the
pure-Python source on the stdlib corpus: `check --no-cache --format json` and `graph --format json`.

The wheel is built once per session with KNIGHTWATCH_COMPILE=1 (no silent fallback to pure Python)
and unpacked (or taken from KNIGHTWATCH_COMPILED_SITE); each command runs in both builds side by side. It takes minutes (the build, then four
whole-stdlib runs), so `python -m pytest` leaves it out (marker `compiled`) and .ci/run runs it as a
step of its own: `python -m pytest -m compiled`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from corpora import stdlib_tree  # noqa: E402

pytestmark = pytest.mark.compiled
#: the modules setup.py compiles (as the package names them)
COMPILED = ("knightwatch.source.schema", "knightwatch.graphs.index", "knightwatch.graphs.callgraph",
            "knightwatch.graphs.liveness", "knightwatch.graphs.reach")


@pytest.fixture(scope="session")
def compiled_site(tmp_path_factory) -> Path:
    """A directory holding the compiled wheel's files, to put first on PYTHONPATH: the unpacked wheel
    named by KNIGHTWATCH_COMPILED_SITE (benchmarks/run.py leaves one in benchmarks/.work/compiled), or
    one built now."""
    if os.environ.get("KNIGHTWATCH_COMPILED_SITE"):
        return Path(os.environ["KNIGHTWATCH_COMPILED_SITE"])
    out = tmp_path_factory.mktemp("wheel")
    env = {**os.environ, "KNIGHTWATCH_COMPILE": "1"}
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation",
                            "-q", "-w", str(out)], env=env, capture_output=True, text=True)
    assert build.returncode == 0, build.stderr[-3000:]
    (wheel,) = out.glob("knightwatch-*.whl")
    site = out / "site"
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(site)
    return site


def _env(site: Path | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if site is not None:
        env["PYTHONPATH"] = str(site)
    return env


def test_the_wheel_holds_the_compiled_modules(compiled_site: Path) -> None:
    probe = "import importlib; print(*(importlib.import_module(m).__file__ for m in %r), sep='\\n')" % (COMPILED,)
    files = subprocess.run([sys.executable, "-c", probe], env=_env(compiled_site), capture_output=True, text=True,
                           check=True).stdout.split()
    assert len(files) == len(COMPILED)
    assert all(f.startswith(str(compiled_site)) and f.endswith((".so", ".pyd")) for f in files), files
    pure = subprocess.run([sys.executable, "-c", probe], env=_env(None), capture_output=True, text=True,
                          check=True).stdout.split()
    assert all(f.endswith(".py") for f in pure), pure


@pytest.mark.parametrize("command", [["check", "--no-cache", "--no-progress", "--format", "json"],
                                     ["graph", "--no-cache", "--format", "json"]], ids=lambda c: c[0])
def test_compiled_and_pure_give_the_same_bytes_on_the_stdlib(compiled_site: Path, tmp_path: Path,
                                                             command: list[str]) -> None:
    tree = stdlib_tree()
    runs = {}
    for name, site in (("pure", None), ("compiled", compiled_site)):  # side by side: one core each
        out = tmp_path / f"{name}.json"
        runs[name] = (out, subprocess.Popen([sys.executable, "-m", "knightwatch", *command, "--output", str(out),
                                             str(tree)], env=_env(site), stderr=subprocess.PIPE, text=True))
    codes = {name: (proc.wait(), proc.stderr.read()) for name, (_, proc) in runs.items()}
    assert codes["pure"][0] in (0, 1), codes["pure"][1][-2000:]
    assert codes["compiled"] == codes["pure"]
    pure, compiled = (runs[name][0].read_bytes() for name in ("pure", "compiled"))
    assert len(pure) > 100_000  # the stdlib has thousands of findings and functions
    assert compiled == pure


LOAD_STAGE = """
import sys
from knightwatch.graphs import reuse
from knightwatch.graphs.callgraph import CallGraph
with open(sys.argv[1], "rb") as fh:
    fh.read(reuse.HEAD)
    cg = reuse._Unpickler(fh).load()
assert isinstance(cg, CallGraph) and not hasattr(cg, "_flow")
sites = [(s.caller, s.line, s.column, sorted(s.targets.items())) for v in cg.sites.values() for s in v]
print(sorted(cg.graph.edges(data="kind")), sorted(sites), sorted(cg.index.defs))
"""


def test_the_compiled_build_stores_and_reloads_its_stage(compiled_site: Path, tmp_path: Path,
                                                         smars_dir: Path) -> None:
    """Compiled classes have no __dict__: the stage is pickled by their attributes (graphs/reuse.py),
    and reads back as the same graph; a comment appended then reuses it and gives a cold run's result."""
    loaded = {}
    for name, site in (("pure", None), ("compiled", compiled_site)):
        tree, cache = tmp_path / name / "smars", tmp_path / name / "cache"
        shutil.copytree(smars_dir, tree)
        check = [sys.executable, "-m", "knightwatch", "check", str(tree), "--format", "json", "--no-progress"]
        assert subprocess.run([*check, "--cache-dir", str(cache)], env=_env(site), capture_output=True).returncode == 1
        loaded[name] = subprocess.run([sys.executable, "-c", LOAD_STAGE, str(cache / "stage.pickle")], env=_env(site),
                                      capture_output=True, text=True, check=True).stdout
        router = tree / "smars" / "router.py"
        router.write_text(router.read_text() + "\n# a comment: only positions change\n")
        reused = subprocess.run([*check, "--cache-dir", str(cache)], env=_env(site), capture_output=True)
        cold = subprocess.run([*check, "--no-cache"], env=_env(site), capture_output=True)
        assert reused.returncode == cold.returncode == 1
        assert reused.stdout == cold.stdout
    assert loaded["compiled"] == loaded["pure"]
