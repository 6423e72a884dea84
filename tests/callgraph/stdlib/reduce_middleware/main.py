from functools import reduce


def check(order):
    return order < 100


def risk(next_):
    def run(order):
        check(order)
        return next_(order)
    return run


def log(next_):
    def run(order):
        return next_(order)
    return run


def send(order):
    return order


def compose(*layers):
    return reduce(lambda outer, inner: lambda h: outer(inner(h)), layers)


handler = compose(log, risk)(send)
handler(1)
