import functools


def price(qty, unit):
    return _round(qty * unit)


def _round(amount):
    return round(amount, 2)


def _legacy_round(amount):  # expect: KW102 low
    return int(amount)


discount = functools.partial(price, unit=0.9)


class OldTariff:  # expect: KW102 low
    def rate(self):
        return 3


class Tariff:
    def rate(self):
        return 2

    def flat(self):  # expect: KW102 low
        return 1
