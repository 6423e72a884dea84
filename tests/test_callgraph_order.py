"""The call graph does not depend on the order modules are read in, nor on the index's memo."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from order_independence import build, summaries  # noqa: E402

#: multi-module cases of the suite (packages, relative and star imports, re-exports) and knightwatch's
#: own source, a real tree of a few thousand lines with classes, containers and callbacks
TREES = [ROOT / "tests" / "callgraph" / "mixed" / "plugin_package", ROOT / "tests" / "callgraph" / "mixed" / "config_loader",
         ROOT / "tests" / "callgraph" / "imports" / "star_with_all", ROOT / "lint"]


@pytest.mark.parametrize("tree", TREES, ids=lambda p: p.name)
def test_shuffled_module_order_gives_the_same_graph(tree: Path) -> None:
    summ, paths = summaries(tree)
    names = sorted(summ)
    assert len(names) > 1
    reference = build(summ, paths, names)
    shuffled = list(names)
    random.Random(7).shuffle(shuffled)
    assert build(summ, paths, names[::-1]) == reference
    assert build(summ, paths, shuffled) == reference


@pytest.mark.parametrize("tree", TREES[-1:], ids=lambda p: p.name)
def test_a_cleared_memo_gives_the_same_graph(tree: Path) -> None:
    summ, paths = summaries(tree)
    names = sorted(summ)
    assert build(summ, paths, names, clear_memo=True) == build(summ, paths, names)
