from copy import copy, deepcopy


class Trade:
    def replace(self, **kwargs):
        return self

    def copied(self, **kwargs):
        return copy(self).replace(**kwargs)


trade = Trade()
trade.copied(size=1)
deepcopy(trade).replace()
