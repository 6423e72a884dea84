"""The index's memo across parameter-flow rounds: what a grown fact reaches is redone, the rest kept."""

from __future__ import annotations

import ast
import textwrap

from knightwatch.graphs.callgraph import CallGraph
from knightwatch.graphs.index import Index
from knightwatch.source.summary import summarise

SOURCES = {
    "app": """
        def relay(x):
            return x

        def unrelated():
            return len

        def first():
            return relay(first)

        def second():
            return relay(second)
    """,
}


def index_of(sources: dict[str, str]) -> Index:
    summaries = {}
    for module, text in sources.items():
        text = textwrap.dedent(text)
        summaries[module] = summarise(module, False, ast.parse(text), text)
    return Index(summaries)


def test_a_resolution_is_redone_only_when_a_fact_it_read_grew():
    idx = index_of(SOURCES)
    returned = ("n", "x")
    before = idx.resolve("app", "relay", returned)
    kept = idx.resolve("app", "unrelated", ("n", "len"))
    assert before == {}  # nothing is passed to `relay` yet

    assert idx.bind_param("app.relay", "x", ("app", "first", ("n", "first")))
    idx.reset()
    assert idx.resolve("app", "relay", returned) == {("def", "app.first"): False}  # redone
    assert idx.resolve("app", "unrelated", ("n", "len")) is kept  # read no fact: kept as it was

    again = idx.resolve("app", "relay", returned)
    assert not idx.bind_param("app.relay", "x", ("app", "first", ("n", "first")))  # nothing new
    idx.reset()
    assert idx.resolve("app", "relay", returned) is again  # no fact grew: kept


def test_what_is_built_on_a_redone_resolution_is_redone_too():
    idx = index_of(SOURCES)
    call = ("c", ("n", "relay"))  # what calling relay returns: its `x`
    assert idx.resolve("app", "first", call) == {}
    idx.bind_param("app.relay", "x", ("app", "second", ("n", "second")))
    idx.reset()
    assert idx.resolve("app", "first", call) == {("def", "app.second"): False}


def test_only_the_sites_a_grown_fact_reached_are_visited_again():
    idx = index_of(SOURCES)
    watched = []
    idx.watch(7, lambda: watched.append(idx.resolve("app", "relay", ("n", "x"))) or False)
    idx.watch(8, lambda: watched.append(idx.resolve("app", "unrelated", ("n", "len"))) or False)
    assert idx.unsettled() == []
    idx.bind_param("app.relay", "x", ("app", "unrelated", ("n", "len")))
    idx.reset()
    assert idx.unsettled() == [7]  # site 8 read nothing that grew
    assert idx.unsettled() == []  # handed out once


def test_a_container_default_does_not_change_a_memoised_element():
    idx = index_of({"app": """
        def f():
            pass

        def g():
            pass

        pair = [f, f]
        chosen = pair.pop(0, g)
    """})
    element = idx.resolve("app", "", ("n", "f"))
    assert idx.resolve("app", "", ("n", "chosen")) == {("def", "app.f"): False, ("def", "app.g"): False}
    assert idx.resolve("app", "", ("n", "f")) == element == {("def", "app.f"): False}


def test_the_call_graph_and_index_are_freed_without_the_garbage_collector():
    """The analysis builds millions of objects with the collector paused; a reference cycle through
    them (a bound method kept in a table, say) would hold all of it until a collection: at exit that
    cost a second and more on the stdlib."""
    import gc
    import weakref

    enabled = gc.isenabled()
    gc.disable()
    try:
        idx = index_of(SOURCES)
        graph = CallGraph(idx, {"app": "app.py"}).build()
        refs = [weakref.ref(idx), weakref.ref(graph)]
        del idx, graph
        assert [r() for r in refs] == [None, None]
    finally:
        if enabled:
            gc.enable()


def test_deep_chains_through_containers_degrade_to_unknown_without_recursion_errors():
    # each element read starts a new resolution (containers resolve their elements afresh), so only
    # the nesting budget stops this chain short of Python's recursion limit
    lines = ["def f():\n    pass\n", "a0 = [f]\n"]
    lines += [f"a{i} = [a{i - 1}[0]]\n" for i in range(1, 400)]
    lines.append("a399[0][0]()\n")
    idx = index_of({"deep": "".join(lines)})
    graph = CallGraph(idx, {"deep": "deep.py"}).build()
    assert "deep.f" in graph.graph  # built; the far end of the chain is simply unknown
    assert idx.resolve("deep", "", ("x", ("n", "a1"), ("k", 0))) == {("def", "deep.f"): False}
