class Vector:
    def __init__(self, x):
        self.x = x

    def __add__(self, other):
        return Vector(self.x + other.x)

    def __mul__(self, k):
        return Vector(self.x * k)


v = Vector(1) + Vector(2)
w = v * 3
