class Registry:
    def __init__(self):
        self.items = {}

    def __setitem__(self, key, value):
        self.items[key] = value

    def __getitem__(self, key):
        return self.items[key]


def handler():
    pass


reg = Registry()
reg["h"] = handler
reg["h"]()
