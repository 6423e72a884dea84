"""Decorators stacked on one function and registries filled by a decorator factory (decodesk probe):
`@risk_checked` over `@timed` (or a decorated `__call__` of an object called later) is followed
through both wrappers to the function under them, so its check counts and its send is on the path;
`ALGOS["peg"]` after `@algo("peg")` gives the class registered under "peg" only. Expectations are
inline."""

from __future__ import annotations

from expectations import actual_findings, expected_findings
from projects import check_json, make_project

CONFIG = """
[tool.knightwatch]
source = ["desk"]
entry-points = ["desk.main:main"]
[tool.knightwatch.safety]
sinks = ["desk.venue.Venue.send"]
breakers = ["desk.risk.check"]
"""

FILES = {
    "desk/__init__.py": "",
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
    "desk/decorators.py": '''
        import functools

        from desk import risk


        def risk_checked(fn):
            @functools.wraps(fn)
            def wrapper(*args):
                risk.check(args[-1])
                return fn(*args)
            return wrapper


        def timed(fn):
            @functools.wraps(fn)
            def wrapper(*args):
                return fn(*args)
            return wrapper


        def retry(times):
            def decorate(fn):
                @functools.wraps(fn)
                def wrapper(*args):
                    for _ in range(times):
                        return fn(*args)
                return wrapper
            return decorate
    ''',
    "desk/algos.py": '''
        from desk.decorators import retry, risk_checked, timed
        from desk.venue import Venue

        ALGOS = {}


        def algo(name):
            def register(cls):
                ALGOS[name] = cls
                return cls
            return register


        @risk_checked
        @timed
        def send_stacked(qty):
            return Venue().send(qty)


        @algo("twap")
        class Twap:
            @timed
            def __call__(self, qty):
                return self._send(qty)

            @risk_checked
            @retry(3)
            def _send(self, qty):
                return Venue().send(qty)


        @algo("peg")
        class Peg:
            @retry(3)
            @timed
            def __call__(self, qty):
                return Venue().send(qty)  # expect: KW301 critical
    ''',
    "desk/main.py": '''
        from desk.algos import ALGOS, send_stacked


        def main():
            send_stacked(1)
            ALGOS["twap"]()(2)
            ALGOS["peg"]()(3)
    ''',
}


def test_stacked_decorators_and_a_decorator_registry(tmp_path):
    root = make_project(tmp_path / "desk", FILES, CONFIG)
    _, report, err = check_json(root, "--select", "KW301")
    assert not err
    assert actual_findings(report["findings"]) == expected_findings(root)
