from operator import attrgetter


class Hedger:
    def on_buy(self, qty):
        return qty

    def on_sell(self, qty):
        return -qty

    def close(self):
        pass


def publish(side, qty):
    handler = attrgetter("on_" + side)(Hedger())
    return handler(qty)


publish("buy", 1)
publish("sell", 2)
