class Pricer:
    def price(self):
        pass


def quote(p: Pricer):
    p.price()
