"""Score knightwatch on PyCG's published call-graph micro-benchmark (its own ground truth).

    python benchmarks/published_microbench.py [-v]

Downloads PyCG's sdist from PyPI (`pip download --no-deps --no-binary :all: pycg`) into
benchmarks/.work once, and scores `micro-benchmark/snippets` with callgraph_accuracy.py: precision,
recall and the number of cases whose graph is exact. JARVIS's suite is not published on PyPI, so
it is not measured here.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tarfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import callgraph_accuracy  # noqa: E402

WORK = Path(__file__).resolve().parent / ".work" / "pycg"


def snippets() -> Path:
    """PyCG's micro-benchmark cases, downloaded and unpacked on first use."""
    found = sorted(WORK.glob("pycg-*/micro-benchmark/snippets"))
    if found:
        return found[-1]
    WORK.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:", "pycg",
                    "-d", str(WORK)], check=True)
    for archive in WORK.glob("pycg-*.tar.gz"):
        with tarfile.open(archive) as tar:
            tar.extractall(WORK, filter="data")
    return sorted(WORK.glob("pycg-*/micro-benchmark/snippets"))[-1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    scores = callgraph_accuracy.score_suite(snippets())
    print("\n".join(callgraph_accuracy.report(scores, args.verbose)))
    exact = sum(1 for s in scores["cases"].values() if not s["missing"] and not s["extra"])
    print(f"exact: {exact} of {len(scores['cases'])} cases")
    return 0


if __name__ == "__main__":
    sys.exit(main())
