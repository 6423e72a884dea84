"""Value types: the stdlib bases call their dunders and hooks, never a method of the project's own."""
import inspect
from enum import Enum
from typing import NamedTuple, Protocol


class Fill(NamedTuple):
    qty: int

    def __str__(self):
        return f"fill {self.qty}"

    @staticmethod
    def from_fix(message):  # expect: KW102 low
        return Fill(int(message))


class Side(str, Enum):
    BUY = "BUY"

    @classmethod
    def _missing_(cls, value):
        return cls.BUY

    def flipped(self):  # expect: KW102 low
        return "SELL"


class Breach(Exception):
    def __str__(self):
        return "limit breached"

    def detail(self):  # expect: KW102 low
        return "x"


class Pricer(Protocol):  # implemented by structure: the declaration lives while an implementation does
    def quote(self, qty): ...


class Flat:
    def quote(self, qty):
        return qty


def quoted(qty):
    return Flat().quote(qty)


class Session:  # handlers picked from its members by a name prefix: alive without a call naming them
    def __init__(self):
        self.handlers = {n[3:]: m for n, m in inspect.getmembers(self, inspect.ismethod) if n.startswith("on_")}

    def on_heartbeat(self, msg):
        return msg
