class Strategy:
    registry = {}

    def __init_subclass__(cls, key="", **kwargs):
        Strategy.registry[key] = cls

    def __init__(self, size):
        self.size = size

    def __call__(self, price):
        return price * self.size


class MeanRevert(Strategy, key="meanrev"):
    def __init__(self, size):
        self.size = size * 2


def build(name):
    return Strategy.registry[name](3)


build("meanrev")
