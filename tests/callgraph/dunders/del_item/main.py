class Book:
    def __init__(self):
        self.orders = {}

    def __delitem__(self, key):
        del self.orders[key]

    def cancel(self, key):
        del self[key]


book = Book()
book.orders["a"] = 1
book.cancel("a")
