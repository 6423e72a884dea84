"""What flag lineage costs on a real release history.

A PyPI sdist has no .git, so the history is built: the package directory of several released sdists
of one project (`pip download --no-binary`) committed in sequence, each commit tagged with its
version. Then `check --select KW201`, each in a fresh process: without lineage (cold cache, for
scale); with lineage on a cold cache (every distinct file of every release summarised once, one
call graph built per release); warm (same cache, a new commit on top so no stored run is replayed:
each release's meanings come from the lineage cache).

    python benchmarks/lineage.py [--package requests] [--versions 2.28.2,2.29.0,2.31.0,2.32.3] [--dir requests]
    python benchmarks/lineage.py --package pytest --dir _pytest --versions 7.4.4,8.0.2,8.2.2,8.3.3
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

CORPORA = Path(__file__).resolve().parent / "corpora"
#: run in a fresh interpreter: the analysis with its lineage, timed by stage, and what lineage did
PROBE = """
import dataclasses, json, resource, sys, time
from pathlib import Path
from knightwatch.source.cache import Cache
from knightwatch.config import load_config
from knightwatch.engine import check
config = load_config(Path(sys.argv[1]))
if sys.argv[3] == "off":
    config = dataclasses.replace(config, releases=None)
start = time.perf_counter()
result, analysis = check(config, select=["KW201"], cache=Cache(Path(sys.argv[2])), need_analysis=True)
seconds = time.perf_counter() - start
cpu = sum(r.ru_utime + r.ru_stime for r in map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)))
lineage = analysis.lineage
print(json.dumps({"seconds": seconds, "cpu": cpu, "files": result.files_analysed, "kw201": len(result.findings),
                  "releases": [r.name for r in lineage.releases] if lineage else [],
                  "summarised": lineage.summarised if lineage else 0, "cached_releases": lineage.cached if lineage else 0,
                  "keys": len(lineage.keys()) if lineage else 0}))
"""


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), "-c", "user.name=kw", "-c", "user.email=kw@example.com", *args],
                          check=True, capture_output=True, text=True, timeout=120).stdout.strip()


def sdist_package(package: str, version: str, into: Path, directory: str) -> Path:
    """The package DIRECTORY of PACKAGE==VERSION's sdist (at its top or under src/), extracted under INTO."""
    downloads = CORPORA / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    found = sorted(downloads.glob(f"{package}-{version}.tar.gz"))
    if not found:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
                        f"{package}=={version}", "-d", str(downloads)], check=True, capture_output=True, timeout=600)
        found = sorted(downloads.glob(f"{package}-{version}.tar.gz"))
    with tarfile.open(found[0]) as tar:
        tar.extractall(into, filter="data")
    top = into / f"{package}-{version}"
    for candidate in (top / directory, top / "src" / directory):
        if candidate.is_dir():
            return candidate
    raise SystemExit(f"lineage benchmark: no {directory}/ package directory in {found[0].name}")


def history(package: str, versions: list[str], directory: str) -> Path:
    """A git repository with one tagged commit per version (rebuilt when the versions differ)."""
    repo = CORPORA / f"lineage-{package}"
    stamp = repo / ".versions"
    if stamp.is_file() and stamp.read_text() == ",".join(versions):
        return repo
    shutil.rmtree(repo, ignore_errors=True)
    repo.mkdir(parents=True)
    (repo / "pyproject.toml").write_text(f'[tool.knightwatch]\nsource = ["{directory}"]\n'
                                         f'[tool.knightwatch.releases]\ntags = "v*"\n')
    _git(repo, "init", "-q")
    with tempfile.TemporaryDirectory() as tmp:
        for version in versions:
            shutil.rmtree(repo / directory, ignore_errors=True)
            shutil.copytree(sdist_package(package, version, Path(tmp), directory), repo / directory)
            _git(repo, "add", "-A")
            _git(repo, "commit", "-qm", f"{package} {version}")
            _git(repo, "tag", f"v{version}")
    stamp.write_text(",".join(versions))
    return repo


def probe(repo: Path, cache: Path, lineage: str = "on") -> dict:
    """`check --select KW201` in a fresh interpreter, as the CLI runs it (garbage collector paused)."""
    done = subprocess.run([sys.executable, "-c", PROBE, str(repo), str(cache), lineage], capture_output=True,
                          text=True, check=True, timeout=300)
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", default="requests")
    parser.add_argument("--versions", default="2.28.2,2.29.0,2.31.0,2.32.3")
    parser.add_argument("--dir", help="the package directory in the sdist [default: the package name]")
    args = parser.parse_args()
    versions = args.versions.split(",")
    repo = history(args.package, versions, args.dir or args.package)
    with tempfile.TemporaryDirectory(prefix="kw-lineage-cache-") as plain, \
            tempfile.TemporaryDirectory(prefix="kw-lineage-cache-") as cache:
        without = probe(repo, Path(plain), "off")
        cold = probe(repo, Path(cache))
        (repo / "NEXT.txt").write_text(str(time.time()))  # a new commit: the stored run cannot answer
        _git(repo, "add", "-A")
        _git(repo, "commit", "-qm", "unreleased work")
        warm = probe(repo, Path(cache))
        _git(repo, "reset", "-q", "--hard", "HEAD~1")
    print(f"{args.package} {', '.join(versions)}: {cold['files']} files at HEAD, {len(cold['releases']) - 1} releases, "
          f"{cold['keys']} flag keys (env reads and flag calls), {cold['kw201']} KW201 findings")
    print(f"  check without lineage, cold cache: {without['seconds']:.2f} s (CPU {without['cpu']:.2f} s)")
    for name, run in (("cold", cold), ("warm", warm)):
        print(f"  check with lineage, {name} cache: {run['seconds']:.2f} s (CPU {run['cpu']:.2f} s; {run['summarised']} files of old releases "
              f"summarised, {run['cached_releases']} of {len(run['releases']) - 1} releases from the lineage cache)")


if __name__ == "__main__":
    main()
