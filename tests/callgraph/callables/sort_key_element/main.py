class Order:
    def __init__(self, qty):
        self.qty = qty

    def size(self):
        return self.qty

    def rank(self, bias):
        return self.qty + bias


def centre(n):
    return n


def by_size(orders):
    return sorted(orders, key=lambda o: o.size())


def best(orders):
    return max(orders, key=lambda o, b=1: o.rank(b))


def in_place(columns):
    columns.sort(key=lambda n: (centre(n), n))


orders = [Order(1), Order(2)]
by_size(orders)
best(orders)
in_place([3, 1])
