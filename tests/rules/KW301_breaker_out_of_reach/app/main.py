from app import desk, registry, risk, venues
from app.risk import guarded
from app.wire import FastGateway, Gateway


def unchecked(gw: Gateway, order):
    gw.send(order)  # expect: KW301 critical


def checked_after(gw: Gateway, order):
    gw.send(order)  # expect: KW301 critical
    risk.check(order)


def checked_one_branch(gw: Gateway, order, fast):
    if fast:
        risk.check(order)
    gw.send(order)  # expect: KW301 critical


def before(gw: Gateway, order):
    risk.check(order)
    gw.send(order)


def early_return(gw: Gateway, order):
    if not risk.check(order):
        return
    gw.send(order)


def in_test(gw: Gateway, order):
    if risk.check(order):
        gw.send(order)


@guarded
def decorated(gw: Gateway, order):
    gw.send(order)


def helper(gw: Gateway, order):
    gw.send(order)


def caller_checks(gw: Gateway, order):
    if not risk.check(order):
        raise ValueError(order)
    helper(gw, order)


def main():
    desk.run(10.0)  # first: the checking helpers called below guard what follows them
    gw = FastGateway()
    venues.via_table("alpha", 1)
    venues.checked("beta", 1)
    venues.maybe_desk(True)
    venues.maybe_book(True)
    registry.start(True, input())
    unchecked(gw, 1)
    checked_after(gw, 1)
    checked_one_branch(gw, 1, True)
    before(gw, 1)
    early_return(gw, 1)
    in_test(gw, 1)
    decorated(gw, 1)
    caller_checks(gw, 1)
