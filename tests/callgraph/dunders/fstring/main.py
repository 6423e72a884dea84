class Missing:
    def __repr__(self):
        return "<missing>"


class Venue:
    def __init__(self, name):
        self.name = name
        self.default = Missing()

    def __str__(self):
        return self.name

    def describe(self):
        return f"{self} default={self.default!r}"


print(Venue("lse").describe())
