class Trade:
    def is_open(self):
        return True


class Order:
    def __init__(self, trade):
        self.trade = trade

    def contingent(self):
        return (parent := self.trade) is not None and parent.is_open()


Order(Trade()).contingent()
