"""Audit verdicts that must hold: a sink call is "guarded" only when a chain of calls from an entry
point reaches it, and no trace step is empty (`calls ` with nothing after it). Real coverage runs."""

from __future__ import annotations

import pytest

from knightwatch.output.audit import build
from knightwatch.source.cache import Cache
from knightwatch.config import load_config
from knightwatch.engine import check
from projects import make_project, run_hosts

CONFIG = """
[tool.knightwatch]
source = ["shop"]
entry-points = ["shop.main:main"]
coverage = ["prodcov/.coverage.*"]
[tool.knightwatch.safety]
sinks = ["shop.wire.send"]
breakers = ["shop.wire.check"]
"""

FILES = {
    "shop/__init__.py": "",
    "shop/wire.py": '''
        def check(qty):
            return qty < 10

        def send(qty):
            return qty
    ''',
    "shop/orders.py": '''
        from shop import wire

        def guarded(qty):
            if wire.check(qty):
                wire.send(qty)

        def imported_only(qty):
            wire.check(qty)
            wire.send(qty)

        def rare(qty, hook):
            hook(qty)
            return qty.bit_length()

        def common(qty, hook):
            return qty
    ''',
    "shop/retry.py": '''
        import functools
        from shop import wire

        def retried(func):
            @functools.wraps(func)
            def wrapper(*args, **kwargs):
                return func(*args, **kwargs)
            return wrapper

        @retried
        def quote(qty):
            return qty

        @retried
        def resend(qty):  # only the wrapper it shares with quote could call it: nothing does
            wire.check(qty)
            wire.send(qty)
    ''',
    "shop/main.py": '''
        import sys
        from shop import orders, retry
        from shop.orders import imported_only

        def main(argv=None):
            argv = sys.argv[1:] if argv is None else argv
            orders.guarded(1)
            retry.quote(1)
            pick = orders.rare if argv else orders.common  # each host's configuration picks one
            pick(2, print)

        if __name__ == "__main__":
            main()
    ''',
}


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("shop") / "shop", FILES, CONFIG)
    run_hosts(root, "shop", "shop.main", {"a": ["rare"], "b": [], "c": []})
    result, analysis = check(load_config(root), cache=Cache(None))
    return build(result, analysis), result


def test_guarded_only_where_a_call_path_reaches(shop):
    model, _ = shop
    sites = {s["caller"]: s for entry in model["safety"] for s in entry["sites"]}
    assert sites["shop.orders.guarded"]["guarded"] is True
    assert sites["shop.orders.imported_only"]["guarded"] is None  # imported, never called
    assert "no chain of calls" in sites["shop.orders.imported_only"]["how"]
    # a decorator's wrapper calls, in each call's context, only the function that call decorates
    assert sites["shop.retry.resend"]["guarded"] is None


def test_no_empty_trace_steps(shop):
    model, result = shop
    drift = [f for f in result.findings if f.rule == "KW401"]
    assert any(f.symbol == "shop.orders.rare" for f in drift)  # the one-host function, with its trace
    steps = [s.message for f in result.findings for s in f.trace] + [s["message"] for f in model["findings"]
                                                                     for s in f["trace"]]
    assert steps and all(m.strip() and not m.rstrip().endswith("calls") for m in steps)
