class Circle:
    def __init__(self, r):
        self.r = r

    @property
    def area(self):
        return compute_area(self.r)


def compute_area(r):
    return 3.14 * r * r


c = Circle(2)
c.area
