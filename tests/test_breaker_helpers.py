"""KW301 through helpers: a call to a function that always calls a breaker before returning counts
as the breaker (issue 14's reproduction and its variations). Expectations are inline."""

from __future__ import annotations

import ast
from collections import Counter

from expectations import EXPECT, ITEM
from knightwatch.graphs.always_calls import always_checks, checked_before, checks_before_yield
from projects import check_json, make_project

CONFIG = """
[tool.knightwatch]
source = ["desk"]
entry-points = ["desk.main:main"]
[tool.knightwatch.safety]
sinks = ["desk.venue.Venue.send"]
breakers = ["desk.risk.Risk.check"]
"""

DESK = {
    "desk/__init__.py": "",
    "desk/risk.py": '''
        class Risk:
            def check(self, amount):
                if amount > 100:
                    raise ValueError("order too large")
    ''',
    "desk/venue.py": '''
        class Venue:
            def send(self, amount):
                return amount
    ''',
}

FILES = {
    **DESK,
    "desk/trader.py": '''
        from desk.risk import Risk
        from desk.venue import Venue


        class Trader:
            def __init__(self):
                self.risk = Risk()
                self.venue = Venue()

            def _sized(self, amount):
                self.risk.check(amount)
                return amount

            def _early_out(self, amount):
                if amount <= 0:
                    return 0
                self.risk.check(amount)
                return amount

            def _swallowed(self, amount):
                try:
                    self.risk.check(amount)
                except ValueError:
                    return amount
                return amount

            def _through_helper(self, amount):
                return self._sized(amount) * 2

            def _refuses(self, amount):
                if amount > 50:
                    raise RuntimeError("refused")
                self.risk.check(amount)

            def _in_finally(self, amount):
                try:
                    return amount * 2
                finally:
                    self.risk.check(amount)

            def _send_then_check(self, amount):
                self.venue.send(amount)  # expect: KW301 critical
                self.risk.check(amount)

            def trade(self, amount):
                amount = self._sized(amount)
                self.venue.send(amount)

            def trade_nested(self, amount):
                self.venue.send(self._sized(amount))

            def trade_early(self, amount):
                amount = self._early_out(amount)
                self.venue.send(amount)  # expect: KW301 critical

            def trade_swallowed(self, amount):
                amount = self._swallowed(amount)
                self.venue.send(amount)  # expect: KW301 critical

            def trade_chained(self, amount):
                amount = self._through_helper(amount)
                self.venue.send(amount)

            def trade_refusing(self, amount):
                self._refuses(amount)
                self.venue.send(amount)

            def trade_finally(self, amount):
                self._in_finally(amount)
                self.venue.send(amount)

            def trade_after_helper(self, amount):
                self._send_then_check(amount)
                self.venue.send(amount)  # expect: KW301 critical

            def trade_after(self, amount):
                self.venue.send(amount)  # expect: KW301 critical
                self._sized(amount)

            def _guarded_send(self, amount):
                self.risk.check(amount)
                self.venue.send(amount)

            def _peg(self, amount):
                self.venue.send(amount)  # expect: KW301 critical

            def trade_knight(self, amount):  # a guarded send first is no check for what follows
                self._guarded_send(amount)
                self._peg(amount)

            def trade_try(self, amount):
                try:
                    self.risk.check(amount)
                except ValueError:
                    return None
                self.venue.send(amount)

            def trade_try_swallowed(self, amount):
                try:
                    self.risk.check(amount)
                except ValueError:
                    pass
                self.venue.send(amount)  # expect: KW301 critical
    ''',
    "desk/main.py": '''
        from desk.trader import Trader


        def main():
            t = Trader()
            for step in (t.trade, t.trade_nested, t.trade_early, t.trade_swallowed, t.trade_chained,
                         t.trade_refusing, t.trade_finally, t.trade_after, t.trade_after_helper, t.trade_knight,
                         t.trade_try, t.trade_try_swallowed):
                step(10)
    ''',
}


def _expected(root, files) -> Counter:
    """The inline `# expect:` items of FILES as written under ROOT."""
    expected = Counter()
    for rel in files:
        for n, line in enumerate((root / rel).read_text().splitlines(), 1):
            m = EXPECT.search(line)
            if m:
                expected.update((rel, n, r, s) for r, s in ITEM.findall(m.group("items")))
    return expected


def _found(report) -> Counter:
    return Counter((f["path"], f["line"], f["rule"], f["severity"]) for f in report["findings"])


def test_a_helper_that_always_checks_guards_the_sink(tmp_path):
    root = make_project(tmp_path / "desk", FILES, CONFIG)
    _, report, err = check_json(root, "--select", "KW301")
    assert not err
    assert _found(report) == _expected(root, FILES)


def _always(source: str) -> bool:
    func = ast.parse(source).body[0]
    return always_checks(func, lambda call: isinstance(call.func, ast.Name) and call.func.id == "check")


def test_always_checks_follows_every_path():
    assert _always("def f(x):\n    check(x)\n    return x")
    assert _always("def f(x):\n    if not check(x):\n        raise ValueError\n    return x")
    assert _always("def f(x):\n    return check(x)")
    assert _always("def f(x):\n    raise NotImplementedError")  # never returns normally
    assert _always("def f(x):\n    with check(x):\n        return x")
    assert _always("def f(x):\n    if x:\n        check(x)\n    else:\n        check(-x)\n    return x")
    assert not _always("def f(x):\n    if x:\n        check(x)\n    return x")
    assert not _always("def f(x):\n    for i in x:\n        check(i)\n    return x")  # x may be empty
    assert not _always("def f(x):\n    return x and check(x)")  # short-circuit
    assert not _always("def f(x):\n    g = lambda: check(x)\n    return x")
    assert not _always("def f(x):\n    match x:\n        case 1:\n            check(x)\n    return x")
    assert _always("def f(x):\n    while True:\n        if check(x):\n            return x")


def _before(source: str) -> bool:
    """Every path into the statement holding the call of `send` passes a call of `check`."""
    func = ast.parse(source).body[0]
    send = next(n for n in ast.walk(func) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "send")
    return checked_before(func, lambda call: isinstance(call.func, ast.Name) and call.func.id == "check",
                          send.lineno, send.col_offset)


def test_checked_before_follows_every_path_into_the_call():
    assert _before("def f(x):\n    check(x)\n    send(x)")
    assert _before("def f(x):\n    try:\n        check(x)\n    except E:\n        return\n    send(x)")
    assert _before("def f(x):\n    try:\n        check(x)\n    except E:\n        raise\n    send(x)")
    assert _before("def f(x):\n    if not x:\n        return\n    check(x)\n    if x > 1:\n        send(x)")
    assert not _before("def f(x):\n    try:\n        check(x)\n    except E:\n        pass\n    send(x)")
    assert not _before("def f(x):\n    if x:\n        check(x)\n    send(x)")
    assert not _before("def f(x):\n    send(x)\n    check(x)")
    assert not _before("def f(x):\n    for i in x:\n        send(i)\n        check(i)")
    assert not _before("def f(x):\n    if x:\n        return send(x)\n    check(x)")  # a send in a return
    assert _before("def f(x):\n    check(x)\n    return send(x)")
    assert _before("def f(x):\n    if x and check(x):\n        send(x)")  # the body runs after every operand
    assert not _before("def f(x):\n    if x or check(x):\n        send(x)")
    assert not _before("def f(x):\n    if x and check(x):\n        pass\n    else:\n        send(x)")


ASYNC_FILES = {
    "desk/__init__.py": "",
    "desk/risk.py": '''
        class Risk:
            async def check(self, amount):
                if amount > 100:
                    raise ValueError("order too large")
    ''',
    "desk/venue.py": '''
        class Venue:
            async def send(self, amount):
                return amount
    ''',
    "desk/main.py": '''
        import asyncio

        from desk.risk import Risk
        from desk.venue import Venue


        class Trader:
            def __init__(self):
                self.risk = Risk()
                self.venue = Venue()

            async def _checked(self, amount):
                await self.risk.check(amount)
                return amount

            async def trade(self, amount):
                await self.risk.check(amount)
                await self.venue.send(amount)

            async def trade_helper(self, amount):
                amount = await self._checked(amount)
                await self.venue.send(amount)

            async def trade_unawaited(self, amount):
                self.risk.check(amount)  # a coroutine made and never run
                await self.venue.send(amount)  # expect: KW301 critical

            async def trade_gathered(self, amount):
                await asyncio.gather(self.risk.check(amount), self.venue.send(amount))  # expect: KW301 critical


        def main():
            t = Trader()
            for step in (t.trade, t.trade_helper, t.trade_unawaited, t.trade_gathered):
                asyncio.run(step(10))
    ''',
}


def test_an_async_breaker_checks_only_where_it_is_awaited(tmp_path):
    root = make_project(tmp_path / "desk", ASYNC_FILES, CONFIG)
    _, report, err = check_json(root, "--select", "KW301")
    assert not err
    assert _found(report) == _expected(root, ASYNC_FILES)


def test_a_sink_only_production_reaches_is_still_checked(tmp_path):
    """A plugin loaded by a name read at run time: no call path from the entry point reaches it, but
    the hosts ran it; its unguarded send is reported (high: the path is production's, not the graph's)."""
    from projects import run_hosts

    files = {
        "app/__init__.py": "",
        "app/venue.py": '''
            def check(qty):
                if qty > 100:
                    raise ValueError(qty)


            def send(qty):
                return qty
        ''',
        "app/sniper.py": '''
            from app.venue import send


            class Sniper:
                def run(self, qty):
                    send(qty * 10)  # expect: KW301 high
        ''',
        "app/main.py": '''
            import importlib
            import sys

            from app.sniper import Sniper

            KNOWN = [Sniper.run]  # referenced (so alive), but no call path reaches it


            def main():
                module, _, name = sys.argv[1].partition(":")
                getattr(importlib.import_module(module), name)().run(5)


            if __name__ == "__main__":
                main()
        ''',
    }
    root = make_project(tmp_path / "app", files, """
        [tool.knightwatch]
        source = ["app"]
        entry-points = ["app.main:main"]
        coverage = ["prodcov/.coverage.*"]
        [tool.knightwatch.safety]
        sinks = ["app.venue.send"]
        breakers = ["app.venue.check"]
    """)
    run_hosts(root, "app", "app.main", {"host-1": ["app.sniper:Sniper"]})
    _, report, _ = check_json(root, "--select", "KW301")
    assert _found(report) == _expected(root, files)
    assert "app.sniper.Sniper.run ran in production" in report["findings"][0]["message"]


def _before_yield(source: str) -> bool:
    func = ast.parse(source).body[0]
    return checks_before_yield(func, lambda call: isinstance(call.func, ast.Name) and call.func.id == "check")


def test_a_context_manager_checks_only_before_its_yield():
    assert _before_yield("def cm(x):\n    check(x)\n    yield x")
    assert _before_yield("def cm(x):\n    if not check(x):\n        raise E\n    try:\n        yield x\n    finally:\n        pass")
    assert not _before_yield("def cm(x):\n    yield x\n    check(x)")  # after the with body: too late
    assert not _before_yield("def cm(x):\n    if x:\n        check(x)\n    yield x")


MIXIN_FILES = {
    **DESK,
    "desk/main.py": '''
        from desk.risk import Risk
        from desk.venue import Venue


        class View:
            def dispatch(self, amount):
                return self.post(amount)


        class LoginMixin:
            def dispatch(self, amount):
                return super().dispatch(amount)


        class RiskMixin:
            def dispatch(self, amount):
                Risk().check(amount)
                return super().dispatch(amount)


        class TicketView(LoginMixin, RiskMixin, View):  # LoginMixin -> RiskMixin -> View: checked
            def post(self, amount):
                Venue().send(amount)


        class StatusView(LoginMixin, View):  # LoginMixin -> View: sends nothing
            def post(self, amount):
                return "ok"


        class QuickView(LoginMixin, View):  # LoginMixin -> View, and it sends: unchecked
            def post(self, amount):
                Venue().send(amount)  # expect: KW301 critical


        def main():
            for view in (TicketView(), StatusView(), QuickView()):
                view.dispatch(5)
    ''',
}


def test_super_and_self_calls_follow_the_mro_of_the_object_they_run_on(tmp_path):
    """A cooperative super() chain through mixins: each view's path follows its own MRO, so
    LoginMixin -> View (StatusView's step) is never joined to View -> TicketView.post."""
    root = make_project(tmp_path / "desk", MIXIN_FILES, CONFIG)
    _, report, err = check_json(root, "--select", "KW301")
    assert not err
    assert _found(report) == _expected(root, MIXIN_FILES)


HANDLER_FILES = {
    **DESK,
    "desk/main.py": '''
        from desk.risk import Risk
        from desk.venue import Venue


        class View:
            @classmethod
            def as_view(cls):
                def view(method, amount):
                    return cls().dispatch(method, amount)
                return view

            def dispatch(self, method, amount):
                handler = getattr(self, method, self.not_allowed)
                return handler(amount)

            def not_allowed(self, amount):
                return None


        class RiskMixin:
            def dispatch(self, method, amount):
                Risk().check(amount)
                return super().dispatch(method, amount)


        class OrderView(RiskMixin, View):  # every dispatch checks first
            def post(self, amount):
                Venue().send(amount)


        class QuoteView(View):  # sends nothing: its getattr never finds OrderView.post
            def get(self, amount):
                return 100


        class BlotterView(View):  # sends with no check
            def put(self, amount):
                Venue().send(amount)  # expect: KW301 high


        def main():
            routes = {"orders": OrderView.as_view(), "quote": QuoteView.as_view(), "blotter": BlotterView.as_view()}
            for name, view in routes.items():
                view(input(name), 5)
    ''',
}


def test_a_handler_looked_up_on_self_is_one_of_the_receivers_own_methods(tmp_path):
    """Django-style views (settingsdesk probe): `cls().dispatch()` in the `as_view` closure runs the
    dispatch each view's MRO gives, and `handler = getattr(self, method)` finds only that view's
    methods, so QuoteView's unchecked View.dispatch never reaches OrderView.post."""
    root = make_project(tmp_path / "desk", HANDLER_FILES, CONFIG)
    _, report, err = check_json(root, "--select", "KW301")
    assert not err
    assert _found(report) == _expected(root, HANDLER_FILES)


def test_a_function_an_outside_framework_registers_starts_a_path(tmp_path):
    """`@router.post(...)` from a web framework outside the project: the framework calls the endpoint,
    so its unguarded send is reported (high: the path starts where the framework calls it), and a
    guarded endpoint is not; a sink an entry point reaches keeps its entry path."""
    files = {
        **DESK,
        "desk/main.py": '''
            from web import Router

            from desk.risk import Risk
            from desk.venue import Venue

            router = Router()


            @router.post("/flatten")
            def flatten(amount):
                return Venue().send(amount)  # expect: KW301 high


            @router.post("/orders")
            def order(amount):
                Risk().check(amount)
                return Venue().send(amount)


            def main():
                return router
        ''',
    }
    root = make_project(tmp_path / "desk", files, CONFIG)
    _, report, _ = check_json(root, "--select", "KW301")
    assert _found(report) == _expected(root, files)
    assert "desk.main.flatten is registered by a decorator from outside the project" in report["findings"][0]["message"]


def test_a_framework_dependency_that_checks_guards_the_endpoint(tmp_path):
    """FastAPI's `qty: int = Depends(checked_qty)`: the framework runs checked_qty (which checks)
    before the endpoint's body, and hands it what checked_qty returns; `venue: Venue = Depends(get_venue)`
    types the parameter."""
    files = {
        "desk/__init__.py": "",
        "desk/risk.py": '''
            class Risk:
                def check(self, amount):
                    if amount > 100:
                        raise ValueError("order too large")
                    return amount
        ''',
        "desk/venue.py": '''
            class Venue:
                def send(self, amount):
                    return amount
        ''',
        "desk/main.py": '''
            from fastapi import Depends

            from desk.risk import Risk
            from desk.venue import Venue


            def get_venue() -> Venue:
                return Venue()


            def checked(amount: int) -> int:
                return Risk().check(amount)


            def place(amount: int = Depends(checked), venue: Venue = Depends(get_venue)):
                return venue.send(amount)


            def place_unchecked(amount: int, venue: Venue = Depends(get_venue)):
                return venue.send(amount)  # expect: KW301 critical


            def main():
                place(5)
                place_unchecked(5)
        ''',
    }
    root = make_project(tmp_path / "desk", files, CONFIG)
    _, report, _ = check_json(root, "--select", "KW301")
    assert _found(report) == _expected(root, files)
