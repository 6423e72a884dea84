NEW_PROGRAM = "mode-7"
BUCKET = "bucket"
RETAIL = "rlp"
IMPROVE = "improve"


def midpoint(qty):
    return qty / 2


class Flags:
    def __init__(self, on):
        self.enabled = set(on)

    def on(self, key, order=0):
        if key == BUCKET:
            return order % 2 == 0
        return key in self.enabled
