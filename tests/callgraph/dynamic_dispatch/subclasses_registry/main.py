class Strategy:
    def on_bar(self, bar):
        pass


class Momentum(Strategy):
    def on_bar(self, bar):
        pass


class MeanRevert(Strategy):
    def on_bar(self, bar):
        pass


REGISTRY = {cls.__name__: cls for cls in Strategy.__subclasses__()}


def run(name):
    strategy = REGISTRY[name]()
    strategy.on_bar(1)


run("Momentum")
