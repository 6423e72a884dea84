from collections import defaultdict


class Bus:
    def __init__(self):
        self.handlers = defaultdict(list)

    def subscribe(self, topic, handler):
        self.handlers[topic].append(handler)

    def publish(self, topic, event):
        for handler in self.handlers[topic]:
            handler(event)


def on_fill(event):
    pass


def on_halt(event):
    pass


bus = Bus()
bus.subscribe("fill", on_fill)
bus.subscribe("halt", on_halt)
bus.publish("fill", 1)
