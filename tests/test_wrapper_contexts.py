"""Decorator wrappers followed per context by the safety analysis (issue 14): a call through one
function a `@retried` wrapper decorates reaches that function only, while the call graph keeps the
wrapper's edge to every function it decorates. The project is the KW301 rule case."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from knightwatch.analysis import analyse
from knightwatch.config import load_config

CASE = Path(__file__).resolve().parent / "rules" / "KW301_breaker_out_of_reach"
ATTEMPT = "app.retry.retried.decorator.attempt"


@pytest.fixture(scope="module")
def analysis(tmp_path_factory):
    root = tmp_path_factory.mktemp("wrappers") / "case"
    shutil.copytree(CASE, root, ignore=shutil.ignore_patterns("__pycache__"))
    return analyse(load_config(root))


def _sites(analysis, caller: str, callee: str) -> list:
    return [s for s in analysis.callgraph.sites[caller] if any(t.endswith(callee) for t in s.targets)
            or callee in analysis.callgraph.index.summaries[s.module]["calls"][s.index][1]]


def test_the_call_graph_keeps_the_wrapper_edge_to_every_decorated_function(analysis):
    g = analysis.callgraph.graph
    # (the instance a decorated method runs on is the wrapper's first argument: a reference to its class)
    assert {t for t in g.successors(ATTEMPT) if t.startswith("app.exchange.") and g.edges[ATTEMPT, t]["kind"] != "ref"} == {
        "app.exchange.Exchange.quote", "app.exchange.Exchange.balance", "app.exchange.Exchange.place"}


def test_a_call_of_a_decorated_function_gives_the_wrapper_that_function_as_context(analysis):
    wrappers = analysis.safety.wrappers
    [quote] = [s for s in analysis.callgraph.sites["app.desk.Desk.report"] if s.column > 40]
    assert wrappers.context(quote, ATTEMPT, None) == frozenset({"app.exchange.Exchange.quote"})
    [shield] = [s for s in analysis.callgraph.sites["app.desk.Desk.sized"]
                if "app.retry.shielded.guard" in s.targets]  # `shielded(self.cap, ...)(...)`
    assert wrappers.context(shield, "app.retry.shielded.guard", None) == frozenset({"app.desk.Desk.cap"})


def test_only_the_decorated_sink_reaches_the_sink(analysis):
    safety = analysis.safety
    reaching = {s.line: safety.site_reaches_sink(s) for s in analysis.callgraph.sites["app.desk.Desk.report"]}
    assert reaching and not any(reaching.values())  # balance() and quote() send nothing
    assert all(safety.site_reaches_sink(s) for s in analysis.callgraph.sites["app.desk.Desk.rush"])
    assert "app.desk.Desk.report" not in analysis.sink_reachers
    assert {"app.desk.Desk.rush", "app.desk.Desk.deferred"} <= analysis.sink_reachers


def test_a_wrapper_reached_as_a_value_wraps_only_what_code_takes_as_a_value(analysis):
    # `sender = self.exchange.place` takes `place` as a value; `quote` and `balance` are only called
    assert analysis.safety.wrappers.call_only[ATTEMPT] == {"app.exchange.Exchange.quote",
                                                          "app.exchange.Exchange.balance"}
    assert ATTEMPT in analysis.sink_reachers  # (its value may be `place`)


def test_a_helper_that_calls_decorated_functions_before_its_check_still_checks(analysis):
    assert "app.desk.Desk.sized" in analysis.safety.checking
    # `buy` checks, then sends: its check is for its own order, not for what its caller calls next
    assert "app.desk.Desk.buy" not in analysis.safety.checking
