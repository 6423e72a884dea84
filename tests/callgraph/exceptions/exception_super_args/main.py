RULES = (("qty", lambda o: o <= 10), ("positive", lambda o: o > 0))


class Rejected(Exception):
    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def check(order):
    for name, ok in RULES:
        if not ok(order):
            raise Rejected(name)
    return order


check(5)
