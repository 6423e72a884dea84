"""Halyard's expectations are the truth: with the call edges the fixture really executes added to the
static call graph, the rules report exactly the inline expectations.

The edges come from running the fixture's commands under a `sys.setprofile` hook, with the
config of a 7.3 host, of the stale host, and of a probe host that turns the fill alerts on (no
production host does: it reveals the one edge, `listener(fill)` to `alerts.notify`, that production
never runs). A call site that reached more than one function across the runs is dispatch, so its
edges are may-calls. The exact-match test in test_fixture_expectations.py runs the static graph alone.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from expectations import expected_findings

from knightwatch.analysis import analyse
from knightwatch.graphs.callgraph import CallGraph, CallSite
from knightwatch.config import load_config
from knightwatch.engine import run_rules
from knightwatch.rules import ALL_RULES

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
FIXTURE = FIXTURES / "halyard"
sys.path.insert(0, str(FIXTURES))  # the hosts' configs are the coverage generator's
try:
    import generate_halyard_coverage as generator
finally:
    sys.path.remove(str(FIXTURES))

#: run from a deploy directory holding `halyard/`: writes [caller, line, callee] triples to argv[1]
PROFILER = r"""
import json, os, runpy, sys
out, sys.argv = sys.argv[1], ["halyard", *sys.argv[2:]]
package = os.path.join(os.getcwd(), "halyard") + os.sep
RESUMED = 0x20 | 0x80 | 0x200  # generators and coroutines: their static edge is where they are created
edges = set()

def name(frame):
    module = os.path.relpath(frame.f_code.co_filename)[:-3].replace(os.sep, ".").removesuffix(".__init__")
    return f"{module}.{frame.f_code.co_qualname}"

def profile(frame, event, arg):
    if event != "call" or not frame.f_code.co_filename.startswith(package) or frame.f_code.co_flags & RESUMED:
        return
    caller = frame.f_back
    while caller is not None and not caller.f_code.co_filename.startswith(package):
        caller = caller.f_back  # through functools.partial, cached_property, asyncio
    if caller is not None:
        edges.add((name(caller), caller.f_lineno, name(frame)))

sys.setprofile(profile)
try:
    runpy.run_module("halyard.cli", run_name="__main__")
except SystemExit:
    pass
sys.setprofile(None)
with open(out, "w") as f:
    json.dump(sorted(edges), f)
"""
LIVE, STALE = "ld4-halyard-01", generator.STALE
RUNS = {  # a host's config and seed -> the commands it runs
    "netting": (generator.host_config(LIVE), generator.HOSTS[LIVE][0], ["check-config", "run"]),
    "sweep": (generator.host_config(STALE), generator.HOSTS[STALE][0], ["check-config", "run"]),
    "probe": ({**generator.host_config(LIVE), "features": {"post_only": True, "fill_alerts": True}},
              generator.HOSTS[LIVE][0], ["run"]),
}


def executed_edges(tmp: Path) -> set[tuple[str, int, str]]:
    edges = set()
    for host, (config, seed, commands) in RUNS.items():
        deploy = tmp / host
        shutil.copytree(FIXTURE / "halyard", deploy / "halyard", ignore=shutil.ignore_patterns("__pycache__"))
        (deploy / "halyard.json").write_text(json.dumps(config), encoding="utf-8")
        for command in commands:
            out = deploy / f"{command}.json"
            args = [command, "halyard.json", *(["--seed", str(seed)] if command == "run" else [])]
            subprocess.run([sys.executable, "-c", PROFILER, str(out), *args], cwd=deploy, check=True,
                           capture_output=True, timeout=60, env={"PYTHONDONTWRITEBYTECODE": "1"})
            edges |= {tuple(e) for e in json.loads(out.read_text(encoding="utf-8"))}
    return edges


def add_edges(cg: CallGraph, edges: set[tuple[str, int, str]]) -> None:
    """Add each executed edge to the call site it ran from (the one calling a function of that name,
    or the only call on its line); a site that reached several functions dispatches: may-calls."""
    reached: dict[int, tuple[CallSite, set[str]]] = {}
    for caller, line, callee in edges:
        if "<" in caller or callee not in cg.index.defs:
            continue  # module-level code and generated functions: not what the expectations rest on
        sites = [s for s in cg.sites.get(caller, ()) if s.line == line]
        if not sites:
            continue  # a property read: no call site, and the static graph has the edge already
        calls = cg.index.summaries[sites[0].module]["calls"]
        named = [s for s in sites if calls[s.index][1][-1] == callee.rpartition(".")[2]]
        site = named[0] if len(named) == 1 else sites[0] if len(sites) == 1 else None
        if site is not None:
            reached.setdefault(id(site), (site, set()))[1].add(callee)
    for site, callees in reached.values():
        may = len(callees) > 1
        for callee in callees:
            if site.targets.get(callee, True):
                site.targets[callee] = may
            kind = cg.graph.edges[site.caller, callee]["kind"] if cg.graph.has_edge(site.caller, callee) else "ref"
            if kind == "ref" or (kind == "may" and not may):
                cg.graph.add_edge(site.caller, callee, kind="may" if may else "call", lines=[site.line], implicit=False)


@pytest.fixture(scope="module")
def findings_with_executed_edges(tmp_path_factory) -> Counter:
    edges = executed_edges(tmp_path_factory.mktemp("halyard-edges"))
    build = CallGraph.build

    def build_then_add(self: CallGraph, **options) -> CallGraph:
        build(self, **options)
        add_edges(self, edges)
        return self

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(CallGraph, "build", build_then_add)
        analysis = analyse(load_config(FIXTURE))
    findings, _, _ = run_rules(analysis, list(ALL_RULES))
    return Counter((f.path, f.line, f.rule, f.severity.label) for f in findings)


@pytest.mark.skipif(sys.version_info < (3, 11), reason="the profiler names functions by co_qualname (3.11+)")
def test_executed_edges_give_exactly_the_expectations(findings_with_executed_edges):
    expected = expected_findings(FIXTURE)
    missing = expected - findings_with_executed_edges
    unexpected = findings_with_executed_edges - expected
    assert not missing and not unexpected, f"missing: {sorted(missing)}\nunexpected: {sorted(unexpected)}"
