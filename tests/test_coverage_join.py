"""Joining real coverage.py data files (one per host) to the analysed sources."""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from coverage import CoverageData

from knightwatch.production import coverage_join
from knightwatch.production.coverage_join import host_name, load_coverage
from knightwatch.errors import KnightwatchError

RELEASE = "releases/2012.08.01"

PACKAGE = {
    "__init__.py": "",
    "flags.py": '''\
"""Feature flags read from the environment."""

import os
import random


def enabled(name):
    return os.environ.get("SMARS_FLAG_" + name) == "1"  # everywhere
''',
    "peg.py": '''\
"""Power Peg: dormant since 2003."""


def send_child_orders(parent):
    sent = 0  # on-flag
    while sent < parent:
        sent += 1
    return sent
''',
    "router.py": '''\
"""Routes parent orders."""

from smars import flags


def route(qty):
    label = f"""
# {qty}
"""
    if flags.enabled("RLP"):  # everywhere
        from smars import peg  # on-flag
        return peg.send_child_orders(qty) + len(label)
    return qty  # flag-off


def cancel_all():
    return 0  # never
''',
}

DRIVER = "import sys\nsys.path.insert(0, sys.argv[1])\nfrom smars import router\nrouter.route(3)\n"

# data file name -> (host directory, branch data?, RLP flag on?)
RUNS = {
    ".coverage.nyc-smars-01": ("nyc-smars-01", True, False),
    ".coverage.nyc-smars-02": ("nyc-smars-02", True, False),
    ".coverage.nyc-smars-08": ("nyc-smars-08", True, True),
    ".coverage.nyc-smars-05": ("nyc-smars-05", False, False),
    ".coverage.nyc-smars-09.pid11.Xabcdefx": ("nyc-smars-09a", True, False),
    ".coverage.nyc-smars-09.pid12.Xghijklx": ("nyc-smars-09b", True, True),
}
SOURCES = {f"smars/{name}": text for name, text in PACKAGE.items()}
ROUTER = "smars/router.py"


def marked(tag: str, path: str = ROUTER) -> set[int]:
    return {n for n, line in enumerate(SOURCES[path].splitlines(), 1) if line.endswith(f"# {tag}")}


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Path:
    """Deploy the package per host under another layout, run it under coverage, keep the data."""
    base = tmp_path_factory.mktemp("world")
    (base / "data").mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COVERAGE_", "SMARS_"))}
    procs = []
    for data_name, (host_dir, branch, flag_on) in RUNS.items():
        deploy = base / "deploy" / host_dir
        for name, text in PACKAGE.items():
            (deploy / RELEASE / "smars").mkdir(parents=True, exist_ok=True)
            (deploy / RELEASE / "smars" / name).write_text(text)
        (deploy / "run.py").write_text(DRIVER)
        cmd = [sys.executable, "-m", "coverage", "run", *(["--branch"] if branch else [])]
        cmd += [f"--data-file={base / 'data' / data_name}", "run.py", str(deploy / RELEASE)]
        run_env = {**env, **({"SMARS_FLAG_RLP": "1"} if flag_on else {})}
        procs.append(subprocess.Popen(cmd, cwd=deploy, env=run_env, stderr=subprocess.PIPE))
    for proc in procs:
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err.decode()
    return base


def data(world: Path, *hosts: str) -> list[Path]:
    return [world / "data" / f".coverage.{h}" for h in hosts]


BRANCH_HOSTS = ("nyc-smars-01", "nyc-smars-02", "nyc-smars-08")


@pytest.mark.parametrize(
    ("name", "host"),
    [
        (".coverage.nyc-smars-08", "nyc-smars-08"),
        (".coverage.nyc-smars-08.pid123.Xabcx", "nyc-smars-08"),
        (".coverage.nyc_smars_08.pid4242.XaB3dEfx.Habcdefghijh", "nyc_smars_08"),
        (".coverage.nyc-smars-08.knight.com", "nyc-smars-08.knight.com"),
        (".coverage", ".coverage"),
        ("host3.sqlite", "host3.sqlite"),
    ],
)
def test_host_name(name, host):
    assert host_name(Path("/var/cov") / name) == host


def test_suffix_remapping_joins_lines_and_arcs_per_host(world):
    join = load_coverage(data(world, *BRANCH_HOSTS), world / "proj", SOURCES)
    assert join.hosts == list(BRANCH_HOSTS)
    assert join.has_arcs
    # the only measured file outside the analysed sources is each host's driver script
    assert [(p.kind, p.host, p.fatal) for p in join.problems] == [("unmatched", h, False) for h in BRANCH_HOSTS]
    assert all("1 measured file(s)" in p.message and "run.py" in p.message for p in join.problems)
    branch = min(marked("everywhere"))
    for host in BRANCH_HOSTS:
        run = join.run(host, ROUTER)
        ran, skipped = ("on-flag", "flag-off") if host == "nyc-smars-08" else ("flag-off", "on-flag")
        assert marked("everywhere") | marked(ran) <= run.lines
        assert not run.lines & (marked(skipped) | marked("never"))
        assert (branch, min(marked(ran))) in run.arcs
        assert (branch, min(marked(skipped))) not in run.arcs
        # the f-string line that looks like a comment really ran and is not taken for a mismatch
        assert SOURCES[ROUTER].splitlines()[7] == "# {qty}" and 8 in run.lines
        assert join.run(host, "smars/flags.py").lines >= marked("everywhere", "smars/flags.py")
        assert not [p for p in join.problems if p.kind in ("mismatch", "unknown")]


def test_never_imported_modules(world):
    join = load_coverage(data(world, *BRANCH_HOSTS), world / "proj", SOURCES)
    peg = "smars/peg.py"
    assert join.run("nyc-smars-01", peg) is None
    assert join.executed(peg) == {"nyc-smars-08": join.run("nyc-smars-08", peg).lines}
    assert marked("on-flag", peg) <= join.executed(peg)["nyc-smars-08"]
    assert set(join.executed(ROUTER)) == set(BRANCH_HOSTS)
    # an empty module that was imported is a run with no lines, not "never imported"
    assert join.run("nyc-smars-01", "smars/__init__.py").lines == frozenset()
    assert join.run("nyc-smars-01", "smars/unknown.py") is None and join.executed("smars/unknown.py") == {}


def test_hosts_running(world):
    join = load_coverage(data(world, *BRANCH_HOSTS), world / "proj", SOURCES)
    assert join.hosts_running(ROUTER, marked("on-flag")) == {"nyc-smars-08"}
    assert join.hosts_running(ROUTER, marked("flag-off")) == {"nyc-smars-01", "nyc-smars-02"}
    assert join.hosts_running(ROUTER, marked("everywhere") | marked("never")) == set(BRANCH_HOSTS)
    assert join.hosts_running(ROUTER, marked("never")) == frozenset()
    assert join.hosts_running("smars/peg.py", iter(marked("on-flag", "smars/peg.py"))) == {"nyc-smars-08"}


@pytest.mark.parametrize(
    "alias", ["{deploy}/*/releases/*/smars", "{deploy}/nyc-smars-0?/releases/*/smars/", "**/releases/2012.08.01/smars"]
)
def test_path_map_remaps_a_renamed_package(world, alias):
    renamed = {path.replace("smars/", "app/"): text for path, text in SOURCES.items()}
    files = data(world, "nyc-smars-01", "nyc-smars-08")
    # a bare file name is too weak to join on: without the map nothing joins, and the warning says so
    unmapped = load_coverage(files, world / "proj", renamed)
    assert unmapped.executed("app/router.py") == {}
    assert all(p.kind == "unmatched" and "nothing from this host joined" in p.message for p in unmapped.problems)
    assert unmapped.problems[0].host == "nyc-smars-01" and "4 measured file(s)" in unmapped.problems[0].message
    path_map = {"app": [alias.format(deploy=world / "deploy")]}
    join = load_coverage(files, world / "proj", renamed, path_map)
    assert join.run("nyc-smars-08", "app/router.py").lines >= marked("on-flag")
    assert join.run("nyc-smars-01", "app/router.py").lines >= marked("flag-off")
    assert set(join.executed("app/flags.py")) == {"nyc-smars-01", "nyc-smars-08"}
    assert all("1 measured file(s)" in p.message for p in join.problems)


def test_bad_path_map_pattern_is_a_clear_error(world):
    with pytest.raises(KnightwatchError, match=r"paths\] 'app': bad pattern '/srv/\[z-a\]': bad character range"):
        load_coverage(data(world, "nyc-smars-01"), world, SOURCES, {"app": ["/srv/[z-a]"]})


def test_equal_suffixes_are_ambiguous_but_an_exact_relpath_wins(world):
    router = SOURCES[ROUTER]
    tied = {"east/smars/router.py": router, "west/smars/router.py": router, "smars/flags.py": SOURCES["smars/flags.py"]}
    join = load_coverage(data(world, "nyc-smars-01", "nyc-smars-08"), world / "proj", tied)
    assert join.executed("east/smars/router.py") == {} and join.executed("west/smars/router.py") == {}
    assert set(join.executed("smars/flags.py")) == {"nyc-smars-01", "nyc-smars-08"}
    for problem in join.problems:
        assert problem.kind == "unmatched" and not problem.fatal
        assert "1 ambiguous" in problem.message and "east/smars/router.py or west/smars/router.py" in problem.message
    exact = load_coverage(data(world, "nyc-smars-08"), world / "proj", {**tied, ROUTER: router})
    assert set(exact.executed(ROUTER)) == {"nyc-smars-08"} and exact.executed("east/smars/router.py") == {}


@pytest.mark.parametrize(
    ("edit", "why"),
    [
        (lambda text: "# moved down\n\n" + text, "line 1 executed but it is blank or a comment"),
        (lambda text: "\n".join(text.splitlines()[:3]), "executed but the file has 3 lines"),
    ],
)
def test_data_every_host_refuses_makes_the_file_unknown(world, edit, why):
    """No git, no revisions: when every host's data for a file is inconsistent with its text, the tree
    moved on since they ran it: the file's data is unknown (one note), not a mismatch per host."""
    edited = {**SOURCES, ROUTER: edit(SOURCES[ROUTER])}
    join = load_coverage(data(world, *BRANCH_HOSTS), world, edited)
    assert [p for p in join.problems if p.kind == "mismatch"] == []
    (note,) = [p for p in join.problems if p.kind == "unknown"]
    assert (note.path, note.fatal, note.data_file) == (ROUTER, False, f"data/.coverage.{BRANCH_HOSTS[0]}")
    assert why in note.message and "--context=rev:" in note.message and "\n" not in note.message
    for host in BRANCH_HOSTS:
        assert join.run(host, ROUTER) is None and join.run(host, "smars/flags.py") is not None
    assert join.executed(ROUTER) == {} and join.hosts_running(ROUTER, marked("everywhere")) == frozenset()
    assert join.unknown_hosts(ROUTER, 1, 1) == frozenset(BRANCH_HOSTS)
    assert join.unknown_hosts("smars/flags.py", 1, 100) == frozenset()


def _truncated(world: Path, target: Path) -> None:
    payload = (world / "data" / ".coverage.nyc-smars-01").read_bytes()
    target.write_bytes(payload[: len(payload) // 2])


def _foreign_sqlite(world: Path, target: Path) -> None:
    with sqlite3.connect(target) as db:
        db.execute("create table orders (id integer, qty integer)")
    db.close()


def _no_files(world: Path, target: Path) -> None:
    CoverageData(basename=str(target)).add_lines({})


@pytest.mark.parametrize(
    ("make", "kind", "words"),
    [
        (lambda world, target: None, "missing", "does not exist"),
        (lambda world, target: target.mkdir(), "missing", "is not a file"),
        (lambda world, target: target.write_bytes(os.urandom(4096)), "corrupt", "cannot read"),
        (_truncated, "corrupt", "cannot read"),
        (_foreign_sqlite, "not-coverage", "not a coverage.py data file"),
        (lambda world, target: target.write_bytes(b""), "empty", "0 bytes"),
        (_no_files, "empty", "records no files"),
    ],
)
def test_unusable_data_file_ignores_that_host_only(world, tmp_path, make, kind, words):
    bad = tmp_path / ".coverage.nyc-smars-04"
    make(world, bad)
    before = bad.read_bytes() if bad.is_file() else None
    join = load_coverage([bad, *data(world, "nyc-smars-01")], world, SOURCES)
    assert join.hosts == ["nyc-smars-01"] and join.run("nyc-smars-01", ROUTER) is not None
    (problem,) = [p for p in join.problems if p.kind != "unmatched"]
    assert (problem.kind, problem.host, problem.data_file, problem.fatal) == (kind, "nyc-smars-04", str(bad), True)
    assert words in problem.message and problem.message.startswith(str(bad))
    assert problem.message.endswith("host nyc-smars-04 ignored") and "\n" not in problem.message
    assert (bad.read_bytes() if bad.is_file() else None) == before  # never written to


def test_damaged_bytes_never_escape_as_exceptions(world, tmp_path):
    payload = (world / "data" / ".coverage.nyc-smars-08").read_bytes()
    rng = random.Random(2012)
    kinds = set()
    for n in range(60):
        damaged = bytearray(payload)
        for _ in range(rng.choice((1, 20, 200))):
            damaged[rng.randrange(100, len(damaged))] = rng.randrange(256)
        target = tmp_path / f".coverage.nyc-smars-{n}"
        target.write_bytes(bytes(damaged))
        join = load_coverage([target], world, SOURCES)
        fatal = [p for p in join.problems if p.fatal]
        assert (join.hosts == [] and len(fatal) == 1) or (join.hosts == [target.name[10:]] and not fatal)
        kinds.update(p.kind for p in fatal)
    assert "corrupt" in kinds


@pytest.mark.parametrize("name", ["bad\0name", "x" * 300])
def test_unusable_paths_are_reported_not_raised(world, name):
    join = load_coverage([world / name, *data(world, "nyc-smars-01")], world, SOURCES)
    assert join.hosts == ["nyc-smars-01"]
    assert [(p.kind, p.data_file, p.fatal) for p in join.problems if p.kind != "unmatched"] == [("missing", name, True)]


def test_coverage_without_read_only_reads_a_copy(world, tmp_path, monkeypatch):
    monkeypatch.setattr(coverage_join, "_READ_ONLY", False)
    foreign = tmp_path / ".coverage.nyc-smars-04"
    _foreign_sqlite(world, foreign)
    before = foreign.read_bytes()
    join = load_coverage([foreign, *data(world, "nyc-smars-08")], world, SOURCES)
    assert foreign.read_bytes() == before
    assert [(p.host, p.fatal) for p in join.problems if p.kind != "unmatched"] == [("nyc-smars-04", True)]
    assert join.hosts == ["nyc-smars-08"] and join.run("nyc-smars-08", ROUTER).lines >= marked("on-flag")


def test_mixed_line_and_branch_data_uses_lines_only(world):
    join = load_coverage(data(world, "nyc-smars-01", "nyc-smars-05"), world, SOURCES)
    assert join.hosts == ["nyc-smars-01", "nyc-smars-05"] and not join.has_arcs
    (mixed,) = [p for p in join.problems if p.kind == "mixed"]
    assert mixed.data_file == "data/.coverage.nyc-smars-05" and not mixed.fatal and "nyc-smars-05" in mixed.message
    for host in join.hosts:
        run = join.run(host, ROUTER)
        assert run.arcs is None and marked("everywhere") | marked("flag-off") <= run.lines


def test_data_files_of_one_host_are_merged(world):
    parallel = sorted((world / "data").glob(".coverage.nyc-smars-09.*"))
    join = load_coverage(parallel, world, SOURCES)
    assert join.hosts == ["nyc-smars-09"] and join.has_arcs
    run = join.run("nyc-smars-09", ROUTER)
    assert marked("on-flag") | marked("flag-off") <= run.lines
    branch = min(marked("everywhere"))
    assert {(branch, min(marked("on-flag"))), (branch, min(marked("flag-off")))} <= run.arcs
    assert join.run("nyc-smars-09", "smars/peg.py") is not None


def test_joining_eight_hosts_of_a_thousand_files_is_fast(tmp_path):
    body = "".join(f"x{i} = {i}\n" for i in range(60))
    sources = {f"pkg{i // 100}/mod{i}.py": body for i in range(1000)}
    template = tmp_path / "template"
    arcs = [(-1, 1)] + [(n, n + 1) for n in range(1, 60)] + [(60, -1)]
    CoverageData(basename=str(template)).add_arcs({f"/srv/deploy/r1/{rel}": arcs for rel in sources})
    files = []
    for n in range(8):
        files.append(tmp_path / f".coverage.nyc-smars-{n:02}")
        shutil.copyfile(template, files[-1])
    start = time.process_time()  # CPU time: immune to other jobs sharing the machine
    join = load_coverage(files, tmp_path, sources)
    elapsed = time.process_time() - start
    assert join.problems == [] and len(join.hosts) == 8
    assert all(len(join.executed(rel)) == 8 for rel in sources)
    assert elapsed < 2.0, f"joining took {elapsed:.2f}s"
