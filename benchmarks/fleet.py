"""Fleet scale: one knightwatch check of the stdlib corpus with 2,000 hosts' coverage data files.

The hosts are copies and variants of the eight real hosts of `corpora.host_coverage()` (stdlib test
slices run under coverage.py --branch): the eight themselves, the 28 unions of two of them and 64
with a tenth of their measured files left out (100 distinct data files, written with coverage's
API), then 2,000 host files spread over them, most hosts identical to many others as in a real
fleet (hard links: the content is read in full for each host all the same).

    python benchmarks/fleet.py [--hosts 2000]

Prints the wall time, CPU time and peak memory of a cold `knightwatch check --no-cache` with all
of them (and with the eight alone, for comparison), against the targets (<= 60 s, <= 1.5 GB).
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import os
import resource
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpora  # noqa: E402
from measure import run  # noqa: E402

WORK = Path(__file__).resolve().parent / ".work" / "fleet"
TARGETS = {"seconds": 60.0, "mb": 1536.0}


def _variants(originals: list[Path], out: Path) -> list[Path]:
    """The 100 distinct data files (written once, reused)."""
    from coverage import CoverageData

    done = out / ".complete"
    if done.exists():
        return sorted(out.glob(".coverage.v*"))
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    arcs = []
    for path in originals:
        data = CoverageData(basename=str(path))
        data.read()
        arcs.append({name: data.arcs(name) or [] for name in data.measured_files()})
    made = []

    def write(name: str, content: dict) -> None:
        data = CoverageData(basename=str(out / f".coverage.{name}"))
        data.add_arcs(content)
        data.write()
        made.append(out / f".coverage.{name}")

    for i, content in enumerate(arcs):
        write(f"v{i:03}", content)
    for n, (a, b) in enumerate(itertools.combinations(range(len(arcs)), 2)):
        union = {k: sorted(set(arcs[a].get(k, [])) | set(arcs[b].get(k, []))) for k in arcs[a].keys() | arcs[b].keys()}
        write(f"v{100 + n:03}", union)
    for n in range(64):
        base = arcs[n % len(arcs)]
        kept = {k: v for k, v in base.items()
                if hashlib.blake2b(f"{n}:{k}".encode(), digest_size=2).digest()[0] % 10 != 0}
        write(f"v{200 + n:03}", kept)
    done.write_text("")
    return sorted(made)


def fleet(variants: list[Path], hosts: int) -> Path:
    """HOSTS data files `.coverage.host-NNNN`: three in four on the eight originals, the rest spread
    over every variant."""
    out = WORK / f"hosts-{hosts}"
    if (out / ".complete").exists():
        return out
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    for i in range(hosts):
        src = variants[i % 8] if i % 4 else variants[(i // 4) % len(variants)]
        os.link(src, out / f".coverage.host-{i:04}")
    (out / ".complete").write_text("")
    return out


#: the join alone, in a process of its own: the analysed texts read, every host's data joined to them
JOIN = """
import glob, sys
from pathlib import Path
from knightwatch.production.coverage_join import load_coverage
root = Path(sys.argv[1])
sources = {p.relative_to(root).as_posix(): p.read_text(errors="replace") for p in root.rglob("*.py")}
join = load_coverage([Path(f) for f in sorted(glob.glob(sys.argv[2]))], root, sources)
assert len(join.hosts) >= 8, join.problems[:3]
"""


def timed(cmd: list[str]) -> tuple[float, float, float]:
    """(wall s, CPU s of the command and its children, peak MB of its largest process)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    sample = run(cmd, ok=(0, 1))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return sample.seconds, cpu, sample.rss_mb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=2000)
    args = parser.parse_args()
    tree = corpora.stdlib_tree()
    originals, _ = corpora.host_coverage()
    variants = _variants(originals, WORK / "variants")
    hosts = fleet(variants, args.hosts)
    distinct = len({hashlib.blake2b(p.read_bytes()).digest() for p in hosts.glob(".coverage.host-*")})
    files, lines = corpora.count_lines(tree)
    print(f"corpus: {tree.name}, {files} files, {lines:,} lines; {args.hosts} hosts, {distinct} distinct data files")
    kw = [sys.executable, "-m", "knightwatch", "check", str(tree), "--no-cache", "--format", "json",
          "--output", os.devnull]
    print(f"  (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores: wall time depends on it, CPU time less)")
    for label, pattern in (("8 hosts", originals[0].parent / ".coverage.*"),
                           (f"{args.hosts} hosts", hosts / ".coverage.host-*")):
        wall, cpu, mb = timed([sys.executable, "-c", JOIN, str(tree), str(pattern)])
        print(f"  join alone, {label:>10}: {wall:6.2f} s wall, {cpu:6.2f} s CPU, peak {mb:6.0f} MB")
        join_ok = wall <= TARGETS["seconds"] and mb <= TARGETS["mb"]
        wall, cpu, mb = timed(kw + ["--coverage", str(pattern)])
        print(f"  cold check, {label:>10}: {wall:6.2f} s wall, {cpu:6.2f} s CPU, peak {mb:6.0f} MB")
    ok = wall <= TARGETS["seconds"] and mb <= TARGETS["mb"]
    print(f"target <= {TARGETS['seconds']:.0f} s and <= {TARGETS['mb']:.0f} MB with {args.hosts} hosts: "
          f"join {'met' if join_ok else 'NOT met'}, whole check {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
