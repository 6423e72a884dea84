class Venue:
    def __init__(self, name):
        self.name = name


class Binance(Venue):
    def __init__(self):
        super().__init__("binance")


Binance()
