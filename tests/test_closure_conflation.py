"""Closures a factory made are not told apart: a call of a name that may hold one of several closures
(a middleware chain built in a loop, by `functools.reduce` or from a comprehension) is a may-call of
each, so a path through it is KW301/KW502 high, not critical; a name that holds one of several plain
functions or bound methods (a loop over a tuple of steps) still calls each for certain. A KW502 path
through an override is high too, as KW301's is. Expectations are inline (statewire probe)."""

from __future__ import annotations

from expectations import actual_findings, expected_findings
from projects import check_json, make_project

CONFIG = """
[tool.knightwatch]
source = ["chain"]
entry-points = ["chain.app:main", "chain.app:main_steps", "chain.app:main_unchecked", "chain.app:place"]
[tool.knightwatch.flags]
accessors = ["chain.switches.engaged"]
registry = "flags.toml"
[tool.knightwatch.safety]
sinks = ["chain.venue.Venue.submit"]
breakers = ["chain.risk.check"]
"""

REGISTRY = """
[flags."chain.halt"]
owner = "risk-ops"
kind = "kill-switch"
created = 2021-03-01
"""

FILES = {
    "chain/__init__.py": "",
    "chain/switches.py": '''
        def engaged(key):
            return False
    ''',
    "chain/risk.py": '''
        def check(order):
            if order > 100:
                raise ValueError(order)
    ''',
    "chain/venue.py": '''
        class Venue:
            def submit(self, order):
                return order


        class Dark(Venue):
            def submit(self, order):
                return order
    ''',
    "chain/middleware.py": '''
        from chain import risk
        from chain.switches import engaged


        def halt_mw(settings):
            def wrap(next_):
                def run(order):
                    if engaged("chain.halt"):
                        return None
                    return next_(order)
                return run
            return wrap


        def risk_mw(settings):
            def wrap(next_):
                def run(order):
                    risk.check(order)
                    return next_(order)
                return run
            return wrap


        def log_mw(settings):
            def wrap(next_):
                def run(order):
                    print(settings, order)
                    return next_(order)
                return run
            return wrap


        def make_send(venue):
            def send_order(order):
                return venue.submit(order)  # expect: KW301 high, KW502 high
            return send_order
    ''',
    "chain/app.py": '''
        from chain.middleware import halt_mw, log_mw, make_send, risk_mw
        from chain.venue import Dark, Venue


        def main():
            handler = make_send(Venue())
            for layer in reversed([log_mw("s"), halt_mw("s"), risk_mw("s")]):
                handler = layer(handler)
            return handler(5)


        class Strategy:
            def run(self, order):
                return None


        class Peg(Strategy):
            def run(self, order):
                return Venue().submit(order)  # expect: KW301 high, KW502 high


        def place(strategy: Strategy, order):
            return strategy.run(order)


        def place_now(order):
            return Dark().submit(order)  # expect: KW301 critical, KW502 critical


        def place_later(order):
            return None


        def main_steps():
            for step in (place_later, place_now):
                step(3)


        def main_unchecked():
            handler = make_send(Venue())
            return handler(500)
    ''',
}



def test_closures_of_one_factory_are_may_calls_and_plain_steps_are_certain(tmp_path):
    root = make_project(tmp_path / "chain", {**FILES, "flags.toml": REGISTRY}, CONFIG)
    _, report, err = check_json(root, "--select", "KW301,KW502")
    assert not err
    assert actual_findings(report["findings"]) == expected_findings(root)
