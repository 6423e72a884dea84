"""Algorithms registered by name through a decorator factory: a lookup by a written key gives the
class registered under it, a lookup by a name the analysis cannot pin down only may give each."""
from app import risk
from app.venues import Alpha

ALGOS = {}


def register(name):
    def add(cls):
        ALGOS[name] = cls
        return cls
    return add


class Algo:
    def __init__(self):
        self.venue = Alpha()

    def run(self, qty):
        self.send_child(qty)

    def send_child(self, qty):
        if risk.check(qty):
            self.venue.submit(qty)


@register("safe")
class Safe(Algo):
    pass


@register("legacy")
class Legacy(Algo):
    def send_child(self, qty):
        self.venue.submit(qty)  # expect: KW301 high


def start(fast, name):
    if fast:
        ALGOS["safe"]().run(1)  # Safe only: Legacy's unchecked send is not on this path
    ALGOS[name]().run(2)
