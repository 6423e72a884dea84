class Strategy:
    def on_tick(self, tick):
        if self.ready():
            self.decide(tick)

    def ready(self):
        return True

    def decide(self, tick):
        pass


class Momentum(Strategy):
    def decide(self, tick):
        self.send(tick)

    def send(self, tick):
        pass


Momentum().on_tick(1)
