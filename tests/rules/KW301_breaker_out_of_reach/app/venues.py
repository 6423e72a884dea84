"""A venue interface written as a typing.Protocol: its implementations do not subclass it."""
import abc
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


def checked_by_desk(send):
    def wrapper(desk, qty):  # the decorated method's instance: its checker is the risk module
        if not desk.checker.check(qty):
            return None
        return send(desk, qty)
    return wrapper


class Desk:
    def __init__(self):
        self.checker = risk
        self.venue = Alpha()

    @checked_by_desk
    def send_child(self, qty):
        self.venue.submit(qty)


def maybe_desk(fast):
    if fast:
        Desk().send_child(1)


class Checker(abc.ABC):  # the configured breaker is this interface's method: its implementations check
    @abc.abstractmethod
    def approve(self, qty): ...


class Limit(Checker):
    def approve(self, qty):
        return qty < 100


class Book:
    def __init__(self, checker: Checker):
        self.checker = checker
        self.venue = Alpha()

    def send(self, qty):
        self.checker.approve(qty)
        self.venue.submit(qty)


def maybe_book(fast):
    if fast:
        Book(Limit()).send(1)
