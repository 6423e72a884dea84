class Spot:
    def fill(self):
        pass


class Future:
    def fill(self):
        pass


def settle(x: Spot | Future):
    x.fill()
