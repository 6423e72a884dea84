"""Two call-graph precision rules (issue 14): a method call reaches a subclass's override only where
the receiver may be a subclass instance, never from an exact `Base()`; and a lambda is made where it
is written, so its body's calls are reachable from the enclosing code, and one handed to a callee
nothing is known of is assumed called there."""

from __future__ import annotations

import ast
import textwrap

from knightwatch.graphs.callgraph import CallGraph
from knightwatch.graphs.index import Index
from knightwatch.graphs.reach import reachable
from knightwatch.source.summary import summarise

EVERY = frozenset({"call", "may", "ref"})
CALLS = frozenset({"call", "may"})


def _graph(text: str):
    text = textwrap.dedent(text)
    idx = Index({"lib": summarise("lib", False, ast.parse(text), text)})
    return CallGraph(idx, {"lib": "lib.py"}).build().graph


def _reached(graph, root: str, kinds=EVERY) -> set[str]:
    return set(reachable(graph, ["lib", root], kinds))


RECEIVERS = '''
    class Base:
        def handle(self, event):
            return event

        def run(self):
            return self.handle(1)


    class Alpha(Base):
        def handle(self, event):
            return alpha_only(event)


    def alpha_only(event):
        return event


    def exact():
        return Base().handle(1)


    def annotated(handler: Base):
        return handler.handle(1)


    def bound_to_alpha():
        return Alpha().run()
'''


def test_an_exact_receiver_never_reaches_an_override():
    graph = _graph(RECEIVERS)
    assert "lib.Alpha.handle" not in _reached(graph, "lib.exact")
    assert not graph.has_edge("lib.Base.handle", "lib.Alpha.handle")


def test_a_receiver_that_may_be_a_subclass_instance_reaches_the_override():
    graph = _graph(RECEIVERS)
    assert graph.edges["lib.annotated", "lib.Alpha.handle"]["kind"] == "may"
    assert "lib.alpha_only" in _reached(graph, "lib.annotated", CALLS)
    assert graph.edges["lib.Base.run", "lib.Alpha.handle"]["kind"] in CALLS  # `self` bound to an Alpha
    assert "lib.alpha_only" in _reached(graph, "lib.bound_to_alpha", CALLS)


LAMBDAS = '''
    def on_fill(o): return o
    def on_cancel(o): return o
    def rank(b): return b
    def kept(): return 0
    def listed(): return 0
    def tabled(): return 0
    def defaulted(): return 0
    def returned(): return 0
    def bound(x): return x
    def classy(): return 0


    class Desk:
        key = lambda self: classy()

        def wire(self, venue, books):
            venue.subscribe(on_fill=lambda o: on_fill(o))
            venue.on("cancel", lambda o: on_cancel(o))
            best = sorted(books, key=lambda b: rank(b))
            self.hook = lambda: kept()
            venue.register([lambda: listed()])
            venue.bind({"t": lambda: tabled()})
            return best, lambda: returned()


    def main(venue, cb=lambda: defaulted()):
        import functools
        venue.add(functools.partial(lambda x: bound(x), 1))
        return Desk().wire(venue, [])
'''


def test_a_lambda_body_is_reachable_from_the_code_that_makes_the_lambda():
    reached = _reached(_graph(LAMBDAS), "lib.main")
    assert {f"lib.{f}" for f in ("on_fill", "on_cancel", "rank", "kept", "listed", "tabled", "defaulted",
                                 "returned", "bound", "classy")} <= reached


def test_a_lambda_handed_to_an_unknown_callee_is_called_there():
    graph = _graph(LAMBDAS)
    called = _reached(graph, "lib.main", CALLS)
    assert {"lib.on_fill", "lib.on_cancel", "lib.rank", "lib.bound"} <= called
    assert graph.edges["lib.Desk.wire", "lib.Desk.wire.<lambda1>"]["kind"] == "may"
    # stored, listed, returned: kept alive, not called by anything the analysis sees
    assert not {"lib.kept", "lib.listed", "lib.returned"} & called


HANDED_OUT = '''
    __all__ = ["Cache", "TTLCache"]


    class Cache:
        def put(self, key):
            self.evict()

        @property
        def size(self):
            return self.expire()

        def evict(self):
            pass

        def expire(self):
            return 0


    class TTLCache(Cache):
        def evict(self):
            pass

        def expire(self):
            return 1


    class _Orphan(Cache):
        def evict(self):
            pass


    def warm():
        cache = Cache()
        cache.put(1)
        return cache.size
'''


def test_self_may_be_an_instance_code_outside_makes_of_an_exported_class():
    """`Cache.put` is called here on a `Cache` only, but users make the exported `TTLCache` and call
    `put` on it; no one makes `_Orphan`, so its override stays unreached."""
    graph = _graph(HANDED_OUT)
    assert graph.edges["lib.Cache.put", "lib.TTLCache.evict"]["kind"] == "may"
    assert graph.has_edge("lib.Cache.size", "lib.TTLCache.expire")  # a property's self too
    assert not graph.has_edge("lib.Cache.put", "lib._Orphan.evict")
