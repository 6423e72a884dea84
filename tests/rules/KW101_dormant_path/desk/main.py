import functools
import inspect
import os
import sys
from typing import Protocol

from desk import wire
from desk.flags import Flags
from desk.wire import block_sweep


class Journal(Protocol):  # implemented structurally: its stub never runs, an implementation does
    def record(self, qty):
        ...


class PrintJournal:
    def record(self, qty):
        return qty


def sweep(qty):
    return qty * 2


def guard(flags):
    if flags.on("halt"):
        raise SystemExit("halted")


def route(flags, qty):
    guard(flags)
    if flags.on("sweep"):
        sweep(qty)  # expect: KW101 medium
    if flags.on("odd-lots"):
        wire.send(qty % 100)  # expect: KW101 high
    if flags.on("fast-path"):
        qty += 1
    if flags.on("block-sweep"):
        block_sweep(qty)  # expect: KW101 medium
    if flags.on("fast-path") and flags.on("sweep"):  # one branch, and only 'sweep' was off everywhere
        sweep(qty)  # expect: KW101 medium
    size = "big" if flags.on("sweep") else "small"
    if qty > 10_000:
        audit(qty)
    if wire.check(qty):
        wire.send(qty)
    return size


def audit(qty):  # expect: KW101 medium
    print("large order", qty)


class Desk:
    def handle(self, kind):
        getattr(self, f"_on_{kind}")()

    def _on_fill(self):
        return "fill"

    def _on_expire(self):  # expect: KW101 medium
        return "expire"


@functools.singledispatch
def execute(order):
    raise TypeError(order)


@execute.register
def _(order: int):
    return order


@execute.register
def _(order: str):  # expect: KW101 high
    wire.send(len(order))


def setting(name, default):  # a settings helper: no variable the analysis can name, so no flag read
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw == "1"


class Router:  # handlers found by introspection: no call graph edge reaches them, production ran them
    def __init__(self):
        self.table = {n[3:]: m for n, m in inspect.getmembers(self, inspect.ismethod) if n.startswith("on_")}

    def on_fill(self, qty):
        if qty < 0:
            legacy_fill(qty)
        return qty


def legacy_fill(qty):  # expect: KW101 medium
    return -qty


def keep(journal: Journal, qty):
    journal.record(qty)


def main():
    flags = Flags(["fast-path"] if "--fast" in sys.argv else [])
    for qty in range(4):
        route(flags, qty)
        keep(PrintJournal(), qty)
        execute(qty)
    Desk().handle("fill")
    Router().table["fill"](1)
    setting(os.path.basename(sys.argv[0]).upper(), False)


if __name__ == "__main__":
    main()
