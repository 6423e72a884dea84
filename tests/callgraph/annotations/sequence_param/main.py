from typing import Sequence


class Leg:
    def price(self):
        pass


def first(legs: Sequence[Leg]):
    return legs[0].price()
