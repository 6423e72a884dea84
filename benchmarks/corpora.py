"""Prepare the benchmark corpora under benchmarks/corpora/ (git-ignored); each step is skipped when done.

- the running interpreter's standard library without its tests (and subsets of it for scaling);
- a monorepo of more than 3 million lines: the standard library with its tests beside pinned PyPI
  sdists, one of them (sympy 1.11.1) with deeply nested generated code;
- a real trading codebase, freqtrade, from its PyPI sdist (`pip download --no-binary`);
- real production-like coverage: eight "hosts", each a slice of the stdlib's own test suite run
  under coverage.py (branch mode) against the interpreter's stdlib, whose paths the join remaps
  onto the copied tree by suffix, as it would for a deployment directory.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import time
from pathlib import Path

CORPORA = Path(__file__).resolve().parent / "corpora"
DONE = ".complete"
TEST_DIRS = {"test", "tests", "idle_test"}
NOT_SOURCE = {"site-packages", "dist-packages", "__pycache__", "lib-dynload"}
TRADING_PACKAGE = "freqtrade"
#: the monorepo's projects besides the stdlib: pinned sdist -> why it is there. Each is unpacked
#: whole (tests included) into a folder of its own, as a monorepo keeps its projects.
MONOREPO_SDISTS = {
    "sympy==1.11.1": "generated code nested 230 levels deep (polys/polyquinticconst.py; "
                     "stdlib files reach about 40), ANTLR-generated parsers",
    "django==5.2.19": "a web framework with its 250,000-line test suite",
    "plotly==7.1.0": "code generated from a schema (graph_objs, validators)",
    "transformers==5.23.0": "a src/ layout; hundreds of near-identical model modules",
}
#: folders of those projects that hold top-level packages under another name (a src/ layout)
MONOREPO_PACKAGE_DIRS = {"transformers": "transformers-5.23.0/src/transformers"}
#: host -> stdlib test modules it runs (a slice each, overlapping a little, as real roles do)
HOSTS = {
    "web1": ["test.test_json", "test.test_html", "test.test_htmlparser"],
    "web2": ["test.test_json", "test.test_urlparse", "test.test_base64", "test.test_ipaddress"],
    "batch1": ["test.test_csv", "test.test_textwrap", "test.test_string", "test.test_shlex"],
    "batch2": ["test.test_argparse", "test.test_getopt", "test.test_optparse"],
    "mail1": ["test.test_email"],
    "files1": ["test.test_pathlib", "test.test_posixpath", "test.test_glob", "test.test_fnmatch"],
    "calc1": ["test.test_fractions", "test.test_statistics", "test.test_heapq", "test.test_bisect"],
    "core1": ["test.test_dataclasses", "test.test_enum", "test.test_functools", "test.test_collections"],
}


def count_lines(tree: Path) -> tuple[int, int]:
    """(files, lines) of the Python files under TREE."""
    files = sorted(tree.rglob("*.py"))
    return len(files), sum(p.read_bytes().count(b"\n") for p in files)


def _copy_stdlib(dst: Path, skip: set[str]) -> None:
    """The .py files of this interpreter's Lib/ into DST, without the folders named in SKIP."""
    src = Path(sysconfig.get_paths()["stdlib"])
    for dirpath, dirnames, filenames in os.walk(src):
        dirnames[:] = [d for d in dirnames if d not in skip and not d.startswith("config-")]
        for name in filenames:
            if name.endswith(".py"):
                target = dst / Path(dirpath).relative_to(src) / name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(Path(dirpath) / name, target)


def stdlib_tree() -> Path:
    """A copy of this interpreter's Lib/ holding only .py files, without test packages or site-packages."""
    dst = CORPORA / f"stdlib-{sys.version_info[0]}.{sys.version_info[1]}"
    if (dst / DONE).exists():
        return dst
    shutil.rmtree(dst, ignore_errors=True)
    _copy_stdlib(dst, TEST_DIRS | NOT_SOURCE)
    (dst / DONE).write_text("")
    return dst


def _sdist(requirement: str) -> Path:
    """The sdist of REQUIREMENT (`name==version`) from PyPI, downloaded once into corpora/downloads."""
    downloads = CORPORA / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    name, version = requirement.split("==")
    found = [p for p in downloads.glob("*.tar.gz") if p.name.lower() == f"{name}-{version}.tar.gz"]
    if found:
        return found[0]
    proc = subprocess.run([sys.executable, "-m", "pip", "download", "--no-binary", ":all:", "--no-deps", requirement,
                           "-d", str(downloads)], capture_output=True, text=True, timeout=900)
    found = [p for p in downloads.glob("*.tar.gz") if p.name.lower() == f"{name}-{version}.tar.gz"]
    if proc.returncode != 0 or not found:
        raise SystemExit(f"cannot download {requirement}: {(proc.stderr or proc.stdout).strip().splitlines()[-1:]}")
    return found[0]


def _unpack_python(sdist: Path, dst: Path) -> None:
    """The .py files of SDIST (plain files inside its top folder only) into DST."""
    with tarfile.open(sdist) as tar:
        for member in tar:
            parts = Path(member.name).parts
            if not member.isfile() or not member.name.endswith(".py") or member.name.startswith("/") \
                    or ".." in parts or len(parts) < 2:
                continue
            target = dst.joinpath(*parts[1:])
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(tar.extractfile(member).read())


def monorepo_tree() -> Path:
    """The stdlib with its tests (`stdlib-3.X/`) beside each of MONOREPO_SDISTS whole (`NAME-VERSION/`),
    with a pyproject.toml whose `source` and package mapping name the modules as each project does."""
    stdlib = f"stdlib-{sys.version_info[0]}.{sys.version_info[1]}"
    dst = CORPORA / "monorepo"
    if (dst / DONE).exists():
        return dst
    shutil.rmtree(dst, ignore_errors=True)
    _copy_stdlib(dst / stdlib, NOT_SOURCE)
    folders = [stdlib]
    for requirement in MONOREPO_SDISTS:
        folders.append(requirement.replace("==", "-"))
        _unpack_python(_sdist(requirement), dst / folders[-1])
    mapping = "\n".join(f'{name} = "{folder}"' for name, folder in MONOREPO_PACKAGE_DIRS.items())
    (dst / "pyproject.toml").write_text(f"[tool.knightwatch]\nsource = {folders!r}\n\n"
                                        f"[tool.setuptools.package-dir]\n{mapping}\n")
    (dst / DONE).write_text("")
    return dst


def subset(tree: Path, percent: int) -> Path:
    """About PERCENT % of TREE's lines: files picked by a stable hash of their path, with the
    `__init__.py` of every package they sit in, so the module names stay the same."""
    if percent == 100:
        return tree
    dst = tree.with_name(f"{tree.name}-{percent}pct")
    if (dst / DONE).exists():
        return dst
    shutil.rmtree(dst, ignore_errors=True)
    rels = sorted((p.relative_to(tree) for p in tree.rglob("*.py")),
                  key=lambda rel: hashlib.blake2b(rel.as_posix().encode()).digest())
    sizes = {rel: (tree / rel).read_bytes().count(b"\n") for rel in rels}
    budget, chosen, total = sum(sizes.values()) * percent / 100, set(), 0
    for rel in rels:
        if total >= budget:
            break
        new = {rel, *(d / "__init__.py" for d in rel.parents if (tree / d / "__init__.py").exists())} - chosen
        chosen |= new
        total += sum(sizes[r] for r in new)
    for rel in sorted(chosen):
        (dst / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(tree / rel, dst / rel)
    if (tree / "pyproject.toml").exists():  # the configuration that names the modules
        shutil.copyfile(tree / "pyproject.toml", dst / "pyproject.toml")
    (dst / DONE).write_text("")
    return dst


def trading_tree() -> Path | None:
    """freqtrade's package directory from its sdist on PyPI; None (with a note) when it cannot be fetched."""
    found = sorted(CORPORA.glob(f"{TRADING_PACKAGE}-*/{DONE}"))
    if found:
        return found[-1].parent / TRADING_PACKAGE
    downloads = CORPORA / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run([sys.executable, "-m", "pip", "download", "--no-binary", ":all:", "--no-deps", TRADING_PACKAGE, "-d", str(downloads)],
                          capture_output=True, text=True, timeout=600)
    sdists = sorted(downloads.glob(f"{TRADING_PACKAGE}-*.tar.gz"))
    if proc.returncode != 0 or not sdists:
        print(f"  note: cannot download {TRADING_PACKAGE}: {(proc.stderr or proc.stdout).strip().splitlines()[-1:]}")
        return None
    with tarfile.open(sdists[-1]) as tar:  # plain files and directories inside CORPORA only
        members = [m for m in tar.getmembers() if (m.isfile() or m.isdir())
                   and not m.name.startswith("/") and ".." not in Path(m.name).parts]
        tar.extractall(CORPORA, members=members)
    top = CORPORA / sdists[-1].name[: -len(".tar.gz")]
    (top / DONE).write_text("")
    return top / TRADING_PACKAGE


def host_coverage() -> tuple[list[Path], float]:
    """Eight hosts' branch coverage of the stdlib, really run; (data files, seconds spent, 0 if reused)."""
    out = CORPORA / f"coverage-stdlib-{sys.version_info[0]}.{sys.version_info[1]}"
    files = [out / f".coverage.{host}" for host in HOSTS]
    if (out / DONE).exists():
        return files, 0.0
    shutil.rmtree(out, ignore_errors=True)
    work = out / "run"
    work.mkdir(parents=True)
    started = time.perf_counter()
    for host, modules in HOSTS.items():
        subprocess.run([sys.executable, "-m", "coverage", "run", "--pylib", "--branch", f"--data-file={out / f'.coverage.{host}'}",
                        "--omit=*/test/*,*/tests/*,*/site-packages/*", "-m", "unittest", "-q", *modules],
                       cwd=work, capture_output=True, timeout=900, check=False)  # a failing test still measured
        if not (out / f".coverage.{host}").exists():
            raise SystemExit(f"coverage run for host {host} wrote no data ({' '.join(modules)})")
    shutil.rmtree(work)
    (out / DONE).write_text("")
    return files, time.perf_counter() - started
