"""A venue interface written as a typing.Protocol: its implementations do not subclass it."""
from typing import Protocol

from app import risk


class Venue(Protocol):
    def submit(self, qty): ...


class Alpha:
    def submit(self, qty):
        return qty


class Beta:
    def submit(self, qty):
        return qty


VENUES = {"alpha": Alpha, "beta": Beta}


def via_table(name, qty):
    VENUES[name]().submit(qty)  # expect: KW301 critical


def checked(name, qty):
    risk.check(qty)
    VENUES[name]().submit(qty)
