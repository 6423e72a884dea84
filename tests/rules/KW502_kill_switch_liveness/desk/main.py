from desk import venue
from desk.flags import is_on

HALT = "desk.halt"


def route(order):
    if is_on(HALT):  # expect: KW502 high
        return None
    venue.submit(order)
    return order


def replace(order):
    venue.submit(order + 1)  # expect: KW502 critical


def log_then_send(order):
    if is_on(HALT):
        print("halted")
    venue.submit(order)  # expect: KW502 critical


def withdraw(order):
    if is_on("desk.no-cancels"):
        raise RuntimeError("cancels are switched off")
    venue.cancel(order)


def main():
    for order in range(3):
        route(order)
        replace(order)
        log_then_send(order)
    withdraw(1)
