import sys

from desk import legacy, wire
from desk.flags import BUCKET, IMPROVE, NEW_PROGRAM, RETAIL, Flags, midpoint


def program(flags, qty):
    if flags.on(NEW_PROGRAM):
        if wire.check(qty):
            wire.send(qty)


def route(flags, qty, old_host):
    if old_host and flags.on(legacy.OLD_MODE):  # expect: KW201 critical
        legacy.peg(qty)
        return
    if flags.on(BUCKET, qty):
        wire.check(qty)
    else:
        wire.check(qty + 1)
    program(flags, qty)


class Order:
    venue = "LIT"


def tag(flags, order):
    if flags.on(RETAIL):  # the new meaning calls nothing: it only routes the order
        order.venue = "RLP"


def improve(flags, qty):
    if flags.on(IMPROVE):  # shares the helper midpoint with the old meaning, nothing else
        return round(midpoint(qty), 2)
    return qty


def report(flags, qty):
    if flags.on(BUCKET, qty):
        return "a"
    return "b"


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    flags = Flags(["mode-7", "rlp", "improve"])
    for qty in range(4):
        route(flags, qty, old_host="--old" in argv)
        report(flags, qty)
        tag(flags, Order())
        if qty > 99:
            legacy.reprice(flags, qty)
            legacy.clip(flags, qty)
        improve(flags, qty)


if __name__ == "__main__":
    main()
