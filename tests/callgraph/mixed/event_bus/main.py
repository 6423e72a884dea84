"""Listeners subscribe to events by name; publishing calls each of them."""


class EventBus:
    def __init__(self):
        self.listeners = {}

    def subscribe(self, event, callback):
        self.listeners.setdefault(event, []).append(callback)

    def publish(self, event, payload):
        for callback in self.listeners.get(event, []):
            callback(payload)


def log_fill(payload):
    pass


def update_position(payload):
    signed = lambda qty: -qty if payload["side"] == "sell" else qty
    return signed(payload["qty"])


def alert(payload):
    pass


bus = EventBus()
bus.subscribe("fill", log_fill)
bus.subscribe("fill", update_position)
bus.subscribe("reject", alert)
bus.publish("fill", {"side": "buy", "qty": 10})
bus.publish("reject", {"reason": "limit"})
