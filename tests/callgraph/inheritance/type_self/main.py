class Order:
    def __init__(self, qty):
        self.qty = qty

    def split(self):
        return type(self)(self.qty // 2)


class LimitOrder(Order):
    def __init__(self, qty):
        self.qty = qty


LimitOrder(4).split()
