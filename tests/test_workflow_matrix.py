"""Every command, in any order, from any cache state: the same answer as a `--no-cache` run, and never
a traceback.

For each project and each cache state, every ordered pair of commands (A, B) runs in sequence on one
cache, and both results (report files, stdout and exit status) must equal the same command's
`--no-cache` result on the same tree. The states: a cold cache; a warm one; one source file edited
between A and B; the cache deleted between them; a read-only cache; a cache whose entries an older
knightwatch wrote in another format; and A and B running at the same time on one cache (parallel CI
jobs). In-process runs go through `main`, so an exception fails the test rather than being caught by
the command's last-resort guard.
"""

from __future__ import annotations

import difflib
import itertools
import marshal
import os
import shutil
import stat
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from click.testing import CliRunner

from knightwatch.source import cache as cache_module
from knightwatch.cli import main

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PROJECTS = ["smars", "halyard"]
TODAY = os.environ["KNIGHTWATCH_TODAY"]  # pinned by conftest, as in every run below

#: command -> (arguments after the project dir, the files it writes into the output directory)
COMMANDS = {
    "check": (["--format", "json", "-o", "{out}/check.json"], ["check.json"]),
    "baseline": (["-o", "{out}/baseline.json"], ["baseline.json"]),
    "audit": (["-o", "{out}/audit.html", "--json", "{out}/audit.json"], ["audit.html", "audit.json"]),
    "flags": (["--format", "json"], []),
    "graph": (["--format", "json", "-o", "{out}/graph.json"], ["graph.json"]),
    "fix": (["--dead", "--diff"], []),  # the change it would make, as a diff: the tree is left alone
}
PAIRS = list(itertools.product(COMMANDS, repeat=2))
#: `fix` re-analyses a scratch copy for each round of its cascade (seconds, not tenths): it is paired
#: with every command on a cold cache and across an edit, the rest on the other states
PAIRS_WITHOUT_FIX = [(a, b) for a, b in PAIRS if "fix" not in (a, b)]
EDIT = "\n\ndef _added_by_the_workflow_matrix():\n    return 42\n"


def _args(command: str, project: Path, out: Path, cache: list[str]) -> list[str]:
    extra, _ = COMMANDS[command]
    return [command, str(project), *(a.format(out=out) for a in extra), *cache]


def _outcome(command: str, out: Path, exit_code: int, stdout: str) -> tuple:
    files = tuple((name, (out / name).read_text(encoding="utf-8") if (out / name).exists() else None)
                  for name in COMMANDS[command][1])
    return exit_code, stdout, files


def _invoke(command: str, project: Path, out: Path, cache: list[str]) -> tuple:
    out.mkdir(parents=True, exist_ok=True)
    result = CliRunner().invoke(main, _args(command, project, out, cache))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"`knightwatch {command}` raised {result.exception!r}") from result.exception
    assert "Traceback" not in result.output + result.stderr
    return _outcome(command, out, result.exit_code, result.stdout)


def _edited_file(project: Path) -> Path:
    """The first module (sorted) that defines a function: the one the matrix edits."""
    return next(p for p in sorted(project.rglob("*.py")) if "def " in p.read_text(encoding="utf-8")
                and ".knightwatch_cache" not in p.parts)


@pytest.fixture(scope="module")
def copies(tmp_path_factory):
    """Each project copied once, with its `--no-cache` results as it is and with the matrix's edit."""
    made = {}
    for name in PROJECTS:
        if not (FIXTURES / name).is_dir():
            continue
        base = tmp_path_factory.mktemp(name)
        project = base / "p"
        shutil.copytree(FIXTURES / name, project, ignore=shutil.ignore_patterns(".knightwatch_cache", "__pycache__"))
        target = _edited_file(project)
        original = target.read_text(encoding="utf-8")
        expected = {}
        for variant, text in (("original", original), ("edited", original + EDIT)):
            target.write_text(text, encoding="utf-8")
            expected[variant] = {c: _invoke(c, project, base / "ref" / variant / c, ["--no-cache"]) for c in COMMANDS}
        target.write_text(original, encoding="utf-8")
        made[name] = (project, target, original, expected)
    return made


def _project(copies, name):
    if name not in copies:
        pytest.skip(f"fixtures/{name} is not in this tree")
    return copies[name]


def _differences(step: str, got: tuple, want: tuple) -> list[str]:
    if got == want:
        return []
    shown = next(("\n".join(difflib.unified_diff(str(w).splitlines(), str(g).splitlines(), "no-cache", "cached",
                                                  n=0, lineterm=""))[:1500]
                  for g, w in zip((got[0], got[1], *got[2]), (want[0], want[1], *want[2])) if g != w), "")
    return [f"{step}: differs from the --no-cache run:\n{shown}"]


def _run_pairs(copies, name, tmp_path, before_a=None, between=None, after=None, pairs=PAIRS_WITHOUT_FIX) -> None:
    """Every ordered pair on a fresh cache: BEFORE_A(cache) once it exists, BETWEEN(cache) after A."""
    project, target, original, expected = _project(copies, name)
    problems = []
    for i, (a, b) in enumerate(pairs):
        cache = tmp_path / f"cache-{i}"
        flags = ["--cache-dir", str(cache)]
        variant = "original"
        try:
            if before_a:
                before_a(cache, project, flags)
            problems += _differences(f"{a} then {b}: {a}", _invoke(a, project, tmp_path / f"{i}a", flags),
                                     expected[variant][a])
            if between:
                variant = between(cache, target) or variant
            problems += _differences(f"{a} then {b}: {b}", _invoke(b, project, tmp_path / f"{i}b", flags),
                                     expected[variant][b])
        finally:
            if after:
                after(cache)
            target.write_text(original, encoding="utf-8")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", PROJECTS)
def test_cold_cache(copies, name, tmp_path):
    _run_pairs(copies, name, tmp_path, pairs=PAIRS)


def _warm(cache: Path, project: Path, flags: list[str]) -> None:
    for command in [c for c in COMMANDS if c != "fix"]:  # fix caches what check does
        _invoke(command, project, cache.parent / "warming", flags)


@pytest.mark.parametrize("name", PROJECTS)
def test_warm_cache(copies, name, tmp_path):
    _run_pairs(copies, name, tmp_path, before_a=_warm)


def _edit(cache: Path, target: Path) -> str:
    target.write_text(target.read_text(encoding="utf-8") + EDIT, encoding="utf-8")
    return "edited"


@pytest.mark.parametrize("name", PROJECTS)
def test_one_source_file_edited_between_the_two(copies, name, tmp_path):
    _run_pairs(copies, name, tmp_path, between=_edit, pairs=PAIRS)


@pytest.mark.parametrize("name", PROJECTS)
def test_cache_deleted_between_the_two(copies, name, tmp_path):
    _run_pairs(copies, name, tmp_path, between=lambda cache, target: shutil.rmtree(cache))


def _set_read_only(cache: Path, read_only: bool) -> None:
    """Root writes through permission bits, so as root the cache is made immutable instead."""
    if not cache.exists():
        return
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-R", "+i" if read_only else "-i", str(cache)], check=True)
        return
    for path in [cache, *cache.rglob("*")]:
        mode = path.stat().st_mode
        path.chmod(mode & ~0o222 if read_only else mode | stat.S_IWUSR)


@pytest.mark.skipif(os.geteuid() == 0 and shutil.which("chattr") is None, reason="root without chattr")
@pytest.mark.parametrize("name", PROJECTS)
def test_read_only_cache(copies, name, tmp_path):
    def warm_then_freeze(cache, project, flags):
        _warm(cache, project, flags)
        _set_read_only(cache, True)

    _run_pairs(copies, name, tmp_path, before_a=warm_then_freeze, after=lambda cache: _set_read_only(cache, False))


def _as_written_by_an_older_version(cache: Path) -> None:
    """Rewrite every entry as an older knightwatch would have written it under the same keys: run
    results without their last field, summaries of an older summary version; and move a copy of the
    summaries into the directory of another build."""
    for path in [p for p in cache.rglob("*") if p.is_file() and not p.name.startswith(".")]:
        raw = path.read_bytes()
        if raw[:4] != cache_module.MAGIC:
            continue
        key, value = raw[4:44].decode(), marshal.loads(raw[cache_module.HEAD:])
        if isinstance(value, tuple):
            value = value[:-1]
        elif isinstance(value, dict):
            value = {**value, "v": value.get("v", 0) - 1}
        path.unlink()
        cache_module.Cache(cache)._write(path, key, marshal.dumps(value))
    summaries = cache / "summaries"
    if summaries.is_dir():
        older = summaries / ("0" * 16)
        for build in [b for b in summaries.iterdir() if b != older]:
            shutil.copytree(build, older, dirs_exist_ok=True)


@pytest.mark.parametrize("name", PROJECTS)
def test_cache_written_by_an_older_version(copies, name, tmp_path):
    def warm_then_age(cache, project, flags):
        _warm(cache, project, flags)
        _as_written_by_an_older_version(cache)

    _run_pairs(copies, name, tmp_path, before_a=warm_then_age,
               between=lambda cache, target: _as_written_by_an_older_version(cache))


def _process(command: str, project: Path, out: Path, cache: Path) -> tuple:
    out.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "KNIGHTWATCH_CACHE_DIR"}
    proc = subprocess.run([sys.executable, "-m", "knightwatch", *_args(command, project, out, ["--cache-dir", str(cache)])],
                          capture_output=True, text=True, timeout=120, env=env, stdin=subprocess.DEVNULL)
    assert "Traceback" not in proc.stdout + proc.stderr and "internal error" not in proc.stderr, proc.stderr
    return _outcome(command, out, proc.returncode, proc.stdout)


@pytest.mark.parametrize("name", PROJECTS)
def test_two_runs_sharing_one_cache_at_once(copies, name, tmp_path):
    project, _, _, expected = _project(copies, name)
    problems = []
    with ThreadPoolExecutor(2) as pool:
        for i, (a, b) in enumerate(PAIRS_WITHOUT_FIX):
            cache = tmp_path / f"cache-{i}"
            runs = [pool.submit(_process, c, project, tmp_path / f"{i}{side}", cache) for c, side in ((a, "a"), (b, "b"))]
            for command, run in zip((a, b), runs):
                problems += _differences(f"{a} with {b}: {command}", run.result(), expected["original"][command])
            problems += _differences(f"{a} with {b}, then {b}", _invoke(b, project, tmp_path / f"{i}c", ["--cache-dir", str(cache)]),
                                     expected["original"][b])
    assert not problems, "\n".join(problems)
