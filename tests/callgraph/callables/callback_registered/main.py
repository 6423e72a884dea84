class Bus:
    def __init__(self):
        self.handlers = []

    def subscribe(self, fn):
        self.handlers.append(fn)

    def publish(self):
        for h in self.handlers:
            h()


def on_tick():
    pass


bus = Bus()
bus.subscribe(on_tick)
bus.publish()
