class Order:
    def cancel(self):
        pass


class Trade:
    def cancel(self):
        pass


class Broker:
    def __init__(self):
        self.orders = []
        self.trades = []

    def submit(self):
        self.orders.append(Order())
        self.trades.append(Trade())

    def fill_orders(self):
        for order in self.orders:
            order.cancel()

    def close_trades(self):
        for trade in self.trades:
            trade.cancel()


broker = Broker()
broker.submit()
broker.fill_orders()
broker.close_trades()
