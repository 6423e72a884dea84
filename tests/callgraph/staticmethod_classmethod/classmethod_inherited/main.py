class Shape:
    @classmethod
    def create(cls):
        return cls()

    def draw(self):
        pass


class Square(Shape):
    def __init__(self):
        pass

    def draw(self):
        pass


Square.create().draw()
