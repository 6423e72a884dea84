class Strategy:
    def on_fill(self):
        pass


def register(cb):
    cb()


s = Strategy()
register(s.on_fill)
