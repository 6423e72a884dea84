"""Handler classes register themselves by order kind; orders are routed through the table."""

HANDLERS = {}


def handles(kind):
    def register(cls):
        HANDLERS[kind] = cls
        return cls

    return register


class Order:
    def __init__(self, kind, qty):
        self.kind = kind
        self.qty = qty


@handles("market")
class MarketHandler:
    def process(self, order):
        return validate(order)


@handles("limit")
class LimitHandler:
    def __init__(self):
        self.book = []

    def process(self, order):
        self.book.append(order)
        return validate(order)


def validate(order):
    return order.qty > 0


def route(order):
    handler = HANDLERS[order.kind]()
    return handler.process(order)


for kind in ("market", "limit"):
    route(Order(kind, 5))
