class Bag:
    def __init__(self, *items):
        self.items = list(items)

    def __contains__(self, item):
        return item in self.items

    def __eq__(self, other):
        return self.items == other.items


a = Bag(1, 2)
b = Bag(1, 2)
found = 2 in a
same = a == b
