class Book:
    def __init__(self):
        pass

    @classmethod
    def empty(cls):
        return cls()


class L2Book(Book):
    def __init__(self):
        pass


L2Book.empty()
