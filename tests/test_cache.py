"""The on-disk cache: summaries by content, the replayed run, where it lives, and distrust of bad entries."""

from __future__ import annotations

import json
import marshal
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from knightwatch import analysis as analysis_module
from knightwatch.graphs import callgraph as callgraph_module
from knightwatch.source import workers
from knightwatch.analysis import analyse
from knightwatch.source.cache import HEAD, MAGIC, Cache, build_name, cache_dir
from knightwatch.cli import main
from knightwatch.config import load_config
from knightwatch.engine import judge
from knightwatch.rules import ALL_RULES

from projects import make_project

FILES = {
    "app/__init__.py": "",
    "app/core.py": """
        from app import util

        def main():
            return util.used()
    """,
    "app/util.py": """
        def used():
            return 1

        def unused():
            return 2
    """,
}
CONFIG = """
    [tool.knightwatch]
    entry-points = ["app.core:main"]
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "proj", FILES, CONFIG)


def run(root: Path, *args: str, env: dict | None = None) -> tuple[int, dict]:
    result = CliRunner().invoke(main, ["check", str(root), "--format", "json", "--no-progress", *args], env=env)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, json.loads(result.stdout)


def entries(directory: Path, kind: str = "summaries") -> list[Path]:
    return sorted(p for p in (directory / kind).rglob("*") if p.is_file())


def summarised(root: Path, directory: Path | None) -> tuple[dict, Cache]:
    cache = Cache(directory)
    files = analyse(load_config(root), cache=cache).files
    return {path: (info.summary, info.error) for path, info in files.items()}, cache


def test_summaries_are_reused_by_content(project, tmp_path):
    first, cold = summarised(project, tmp_path / "c")
    assert (cold.hits, cold.misses) == (0, 3) and len(entries(tmp_path / "c")) == 3
    again, warm = summarised(project, tmp_path / "c")
    assert (warm.hits, warm.misses) == (3, 0) and again == first
    (project / "app/util.py").write_text("def used():\n    return 3\n")
    changed, after = summarised(project, tmp_path / "c")
    assert (after.hits, after.misses) == (2, 1)
    assert changed["app/util.py"] != first["app/util.py"] and changed["app/core.py"] == first["app/core.py"]


def test_summaries_of_builds_no_longer_in_use_are_deleted(project, tmp_path):
    """Each build of knightwatch keeps its summaries in a directory of its own; a run keeps the two
    most recently used other builds' (a pre-commit install and a development one may share a cache)
    and deletes older ones, and the flat layout of earlier releases."""
    top = tmp_path / "c" / "summaries"
    old_builds = []
    for age, name in enumerate(["0123456789abcdef", "1111111111111111", "2222222222222222"]):
        (top / name / "ab").mkdir(parents=True)
        (top / name / "ab" / "entry").write_bytes(b"x")
        os.utime(top / name, (1_000_000 + age, 1_000_000 + age))  # 0123... least recently used
        old_builds.append(name)
    (top / "ab").mkdir()
    (top / "ab" / "entry").write_bytes(b"x")  # the layout without build directories
    (top / "notes.txt").write_text("not ours")

    summarised(project, tmp_path / "c")

    assert sorted(p.name for p in top.iterdir()) == sorted([build_name(), *old_builds[1:], "notes.txt"])
    assert len(entries(tmp_path / "c")) == 3 + 2 + 1  # this run's, the two kept builds', notes.txt
    assert all(p.parent.parent.name == build_name() for p in entries(tmp_path / "c")
               if p.name not in ("entry", "notes.txt"))


def test_a_renamed_module_is_summarised_again(project, tmp_path):
    summarised(project, tmp_path / "c")
    shutil.move(project / "app/util.py", project / "app/helpers.py")
    found, cache = summarised(project, tmp_path / "c")
    assert cache.misses == 1 and found["app/helpers.py"][0]["module"] == "app.helpers"


def test_parse_errors_are_cached_too(project, tmp_path):
    (project / "app/broken.py").write_text("def f(:\n")
    first, _ = summarised(project, tmp_path / "c")
    again, warm = summarised(project, tmp_path / "c")
    assert warm.misses == 0 and again["app/broken.py"] == first["app/broken.py"] == (None, first["app/broken.py"][1])
    assert first["app/broken.py"][1][0] == 1


def test_parallel_summaries_equal_serial_ones_and_are_cached_by_the_workers(project, tmp_path, monkeypatch):
    serial, _ = summarised(project, None)
    monkeypatch.setattr(workers, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(workers, "_cpus", lambda: 2)
    parallel, cold = summarised(project, tmp_path / "c")
    assert parallel == serial and cold.misses == 3
    assert len(entries(tmp_path / "c")) == 3
    assert summarised(project, tmp_path / "c")[1].hits == 3


def test_in_a_pool_a_file_only_the_compiler_refuses_is_left_out_and_cached_as_refused(project, tmp_path, monkeypatch):
    """The workers summarise without the compiler's checks, which then run while the call graph is
    built; a file they refuse is reported like any parse error and the analysis is done without it."""
    (project / "app/toplevel.py").write_text("def helper():\n    pass\n\nreturn helper()\n")
    (project / "app/newer.py").write_text("def first[T](xs: list[T]) -> T:\n    return xs[0]\n")  # lowered
    monkeypatch.setattr(workers, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(workers, "_cpus", lambda: 2)
    cache = Cache(tmp_path / "c")
    result = analyse(load_config(project), cache=cache)
    refused = result.files["app/toplevel.py"]
    assert refused.summary is None and refused.error[0] == 4 and "outside function" in refused.error[2]
    assert "app.toplevel.helper" not in result.callgraph.graph and "app.newer.first" in result.callgraph.graph
    assert result.files["app/newer.py"].error is None and cache.misses == 5
    again, warm = summarised(project, tmp_path / "c")
    assert warm.hits == 5 and again["app/toplevel.py"] == (None, refused.error)


def test_once_the_checks_refuse_a_file_the_call_graph_under_way_is_given_up(project, tmp_path, monkeypatch):
    """A refusal found while the call graph is built stops that build at its next look (it would be
    thrown away) and the one analysis is built without the file."""
    (project / "app/toplevel.py").write_text("def helper():\n    pass\n\nreturn helper()\n")
    monkeypatch.setattr(workers, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(workers, "_cpus", lambda: 2)
    monkeypatch.setattr(callgraph_module, "STOP_EVERY", 1)
    summarise_all = analysis_module.summarise_all

    def checks_done_first(*args):  # the checks finish before the build's first look
        records, checks = summarise_all(*args)
        return records, lambda wait=True: checks()

    builds = []
    build = callgraph_module.CallGraph.build

    def counted(self, *args, **kwargs):
        builds.append("started")
        result = build(self, *args, **kwargs)
        builds[-1] = "finished"
        return result

    monkeypatch.setattr(analysis_module, "summarise_all", checks_done_first)
    monkeypatch.setattr(callgraph_module.CallGraph, "build", counted)
    result = analyse(load_config(project), cache=Cache(tmp_path / "c"))
    assert builds == ["started", "finished"]
    assert result.files["app/toplevel.py"].summary is None and "app.toplevel.helper" not in result.callgraph.graph
    assert "app.util" in result.callgraph.graph


def test_when_the_pool_breaks_before_the_compiler_checks_they_are_done_here(project, tmp_path, monkeypatch):
    (project / "app/toplevel.py").write_text("return 1\n")
    monkeypatch.setattr(workers, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(workers, "_cpus", lambda: 2)
    real = workers.ProcessPoolExecutor

    class Breaking(real):
        def submit(self, fn, *args, **kwargs):
            if fn is workers._check_batch:
                raise workers.BrokenProcessPool("a worker died")
            return super().submit(fn, *args, **kwargs)

    monkeypatch.setattr(workers, "ProcessPoolExecutor", Breaking)
    found, cache = summarised(project, tmp_path / "c")
    assert found["app/toplevel.py"][0] is None and "outside function" in found["app/toplevel.py"][1][2]
    assert found["app/util.py"][0] is not None and len(entries(tmp_path / "c")) == 4


def test_without_a_process_pool_the_files_are_summarised_here(project, tmp_path, monkeypatch):
    serial, _ = summarised(project, None)

    def refused(*args, **kwargs):
        raise PermissionError("no processes in this sandbox")

    monkeypatch.setattr(workers, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(workers, "_cpus", lambda: 2)
    monkeypatch.setattr(workers, "ProcessPoolExecutor", refused)
    found, cache = summarised(project, tmp_path / "c")
    assert found == serial and len(entries(tmp_path / "c")) == 3


def test_no_cache_writes_nothing(project):
    code, report = run(project, "--no-cache")
    assert code == 1 and report["findings"]
    assert not (project / ".knightwatch_cache").exists()


def test_default_cache_dir_is_under_the_project_and_ignored_by_git(project):
    run(project)
    directory = project / ".knightwatch_cache"
    assert entries(directory) and entries(directory, "runs")
    assert (directory / ".gitignore").read_text().splitlines()[-1] == "*"


def test_cache_dir_option_and_environment(project, tmp_path):
    run(project, "--cache-dir", str(tmp_path / "opt"), env={"KNIGHTWATCH_CACHE_DIR": str(tmp_path / "env")})
    assert entries(tmp_path / "opt") and not (tmp_path / "env").exists()
    run(project, env={"KNIGHTWATCH_CACHE_DIR": str(tmp_path / "env")})
    assert entries(tmp_path / "env") and not (project / ".knightwatch_cache").exists()
    assert cache_dir(project, None, True) is None


def test_results_identical_cold_warm_and_replayed_on_the_fixture(smars_dir, tmp_path):
    copy = tmp_path / "smars"
    shutil.copytree(smars_dir, copy, ignore=shutil.ignore_patterns(".knightwatch_cache"))
    directory = tmp_path / "c"
    uncached = run(copy, "--no-cache")
    cold = run(copy, "--cache-dir", str(directory))
    replayed = run(copy, "--cache-dir", str(directory))
    for entry in entries(directory, "runs"):
        entry.unlink()
    from_summaries = run(copy, "--cache-dir", str(directory))
    assert uncached[1]["findings"] and uncached[1]["summary"]["hosts"]
    assert uncached == cold == replayed == from_summaries


def test_a_replay_skips_the_analysis_and_equals_it(project, tmp_path):
    config, cache = load_config(project), Cache(tmp_path / "c")
    first, analysis = judge(config, None, ALL_RULES, cache)
    again, none = judge(config, None, ALL_RULES, cache)
    assert analysis is not None and none is None
    assert again.findings == first.findings and again.rules == first.rules and again.notes == first.notes
    assert [f.properties for f in again.findings] == [f.properties for f in first.findings]


@pytest.mark.parametrize("change", ["source", "config", "today", "new file"])
def test_a_changed_input_is_analysed_again(project, tmp_path, monkeypatch, change):
    cache = Cache(tmp_path / "c")
    judge(load_config(project), None, ALL_RULES, cache)
    if change == "source":
        (project / "app/util.py").write_text("def used():\n    return 1\n")
    elif change == "config":
        (project / "pyproject.toml").write_text("[tool.knightwatch]\n")
    elif change == "today":
        monkeypatch.setenv("KNIGHTWATCH_TODAY", "2030-01-01")
    else:
        (project / "app/extra.py").write_text("X = 1\n")
    result, analysis = judge(load_config(project), None, ALL_RULES, cache)
    assert analysis is not None
    if change == "source":
        assert not any(f.symbol == "app.util.unused" for f in result.findings)


def test_a_changed_coverage_file_is_analysed_again(project, tmp_path):
    data = project / "cov" / ".coverage.web1"
    data.parent.mkdir()
    data.write_bytes(b"not a database")
    cache = Cache(tmp_path / "c")
    judge(load_config(project), ["cov/.coverage.*"], ALL_RULES, cache)
    assert not entries(tmp_path / "c", "runs")  # a fatal coverage problem: never stored
    shutil.rmtree(project / "cov")
    judge(load_config(project), None, ALL_RULES, cache)
    assert judge(load_config(project), None, ALL_RULES, cache)[1] is None


def damage(path: Path, how: str) -> None:
    raw = path.read_bytes()
    if how == "truncated":
        path.write_bytes(raw[: len(raw) // 2])
    elif how == "garbage":
        path.write_bytes(b"\x00\xffnot a cache entry" * 3)
    elif how == "bad payload":  # a well-formed header whose payload marshal cannot read
        import hashlib

        payload = b"\xff\xfe\xfd"
        path.write_bytes(MAGIC + raw[4:44] + hashlib.blake2b(payload, digest_size=16).hexdigest().encode() + payload)
    elif how == "flipped":
        path.write_bytes(raw[:-1] + bytes([raw[-1] ^ 1]))
    elif how == "empty":
        path.write_bytes(b"")


@pytest.mark.parametrize("how", ["truncated", "garbage", "bad payload", "flipped", "empty"])
def test_damaged_entries_are_ignored_and_rewritten(project, tmp_path, how):
    directory = tmp_path / "c"
    expected = run(project, "--no-cache")
    run(project, "--cache-dir", str(directory))
    for path in entries(directory) + entries(directory, "runs"):
        damage(path, how)
    assert run(project, "--cache-dir", str(directory)) == expected
    again, cache = summarised(project, directory)
    assert cache.hits == 3  # rewritten by the run that distrusted them


def test_a_foreign_entry_is_ignored(project, tmp_path):
    """An intact entry stored under another key (a copied file, a hash clash) is not trusted."""
    directory = tmp_path / "c"
    summarised(project, directory)
    files = entries(directory)
    files[1].write_bytes(files[0].read_bytes())
    found, cache = summarised(project, directory)
    assert cache.misses == 1 and found == summarised(project, None)[0]


@pytest.mark.parametrize("payload", [[1, 2], ("x",) * 5, ([("KW102",)], [], [], 1, []), ([], ["KW999"], [], 0, [])])
def test_a_stored_run_of_the_wrong_shape_is_ignored(project, tmp_path, payload):
    config, cache = load_config(project), Cache(tmp_path / "c")
    judge(config, None, ALL_RULES, cache)
    [slot] = entries(tmp_path / "c", "runs")
    raw = slot.read_bytes()
    import hashlib

    body = marshal.dumps(payload)
    slot.write_bytes(raw[:44] + hashlib.blake2b(body, digest_size=16).hexdigest().encode() + body)
    assert len(raw) > HEAD
    result, analysis = judge(config, None, ALL_RULES, cache)
    assert analysis is not None and result.findings


def test_an_unwritable_cache_only_costs_time(project, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    assert run(project, "--cache-dir", str(blocker / "sub")) == run(project, "--no-cache")


def test_the_collector_is_paused_during_the_analysis_and_restored(project, monkeypatch):
    import gc

    seen = []
    real = analysis_module.analyse
    monkeypatch.setattr(analysis_module, "analyse", lambda *a, **k: seen.append(gc.isenabled()) or real(*a, **k))
    assert gc.isenabled()
    judge(load_config(project), None, ALL_RULES, Cache(None))
    assert seen == [False] and gc.isenabled()


def test_a_replayed_run_loads_none_of_the_analysis_libraries(project, tmp_path):
    """A pre-commit hook on an unchanged tree replays the stored result: it must not pay for importing
    networkx, coverage, libcst or rich (the json report needs none of them)."""
    cache = tmp_path / "cache"
    probe = ("import sys\nfrom knightwatch.cli import main\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
             "print(sorted({m.split('.')[0] for m in sys.modules} & {'networkx', 'coverage', 'libcst', 'rich'}))")
    argv = ["check", str(project), "--format", "json", "--output", str(tmp_path / "out.json"),
            "--cache-dir", str(cache), "--no-progress"]
    first = subprocess.run([sys.executable, "-c", probe, *argv], capture_output=True, text=True, check=True)
    again = subprocess.run([sys.executable, "-c", probe, *argv], capture_output=True, text=True, check=True)
    assert "networkx" in first.stdout  # analysed
    assert again.stdout.strip() == "[]"  # replayed
