NEW_PROGRAM = "mode-7"
BUCKET = "bucket"
RETAIL = "rlp"


class Flags:
    def __init__(self, on):
        self.enabled = set(on)

    def on(self, key, order=0):
        if key == BUCKET:
            return order % 2 == 0
        return key in self.enabled
