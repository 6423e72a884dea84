class Flags:
    def __init__(self, on):
        self.enabled = set(on)

    def on(self, key):
        return key in self.enabled
