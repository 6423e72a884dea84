"""KW502 walks as KW301 does (decodesk probe): a call of a function that raises when the switch is
on (`ensure_trading()`, or `with trading_enabled():` over a context manager that raises before it
yields) stops what comes after it, as a breaker call does, and a decorator's wrapper is followed in
the context of each call (a path never enters one decorated function from another's call).
Expectations are inline."""

from __future__ import annotations

from expectations import actual_findings, expected_findings
from projects import check_json, make_project

CONFIG = """
[tool.knightwatch]
source = ["desk"]
entry-points = ["desk.main:main"]
[tool.knightwatch.flags]
accessors = ["desk.switches.engaged"]
registry = "flags.toml"
[tool.knightwatch.safety]
sinks = ["desk.venue.Venue.send"]
breakers = ["desk.risk.check"]
"""

REGISTRY = """
[flags."desk.halt"]
owner = "risk-ops"
kind = "kill-switch"
created = 2021-03-01
"""

FILES = {
    "desk/__init__.py": "",
    "desk/switches.py": '''
        def engaged(key):
            return False
    ''',
    "desk/risk.py": '''
        def check(qty):
            if qty > 100:
                raise ValueError(qty)
    ''',
    "desk/venue.py": '''
        class Venue:
            def send(self, qty):
                return qty
    ''',
    "desk/main.py": '''
        import contextlib
        import functools

        from desk import risk
        from desk.switches import engaged
        from desk.venue import Venue


        class Halted(Exception):
            pass


        @contextlib.contextmanager
        def trading_enabled():
            if engaged("desk.halt"):
                raise Halted()
            yield


        def ensure_trading():
            if engaged("desk.halt"):
                raise Halted()


        def halted_after():  # raises only after its yield: no stop for the body
            yield
            if engaged("desk.halt"):
                raise Halted()


        def timed(fn):
            @functools.wraps(fn)
            def wrapper(*args):
                return fn(*args)
            return wrapper


        @timed
        def send_a(qty):
            risk.check(qty)
            return Venue().send(qty)


        @timed
        def send_b(qty):
            risk.check(qty)
            return Venue().send(qty)  # expect: KW502 critical


        def route_guarded(qty):
            with trading_enabled():
                risk.check(qty)
                Venue().send(qty)


        def route_helper(qty):
            ensure_trading()
            risk.check(qty)
            Venue().send(qty)


        def route_after(qty):
            for _ in halted_after():
                risk.check(qty)
                Venue().send(qty)  # expect: KW502 critical


        def guarded(qty):
            ensure_trading()
            return send_a(qty)


        def unguarded(qty):
            return send_b(qty)


        def main():
            route_guarded(1)
            route_helper(2)
            route_after(3)
            guarded(4)
            unguarded(5)
    ''',
}


def test_a_refusing_helper_or_context_manager_stops_the_path_and_wrappers_keep_their_context(tmp_path):
    root = make_project(tmp_path / "desk", {**FILES, "flags.toml": REGISTRY}, CONFIG)
    _, report, err = check_json(root, "--select", "KW502")
    assert not err
    assert actual_findings(report["findings"]) == expected_findings(root)
