import numpy as np


class Prices(np.ndarray):
    def __new__(cls, values, name=""):
        obj = np.asarray(values).view(cls)
        obj.name = name
        return obj

    def __array_finalize__(self, obj):
        self.name = getattr(obj, "name", "")


def window(prices, n):
    return prices[-n:]


closes = Prices([1.0, 2.0, 3.0], name="close")
recent = window(closes, 2)
