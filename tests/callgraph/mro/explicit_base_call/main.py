class Base:
    def __init__(self, name):
        self.name = name


class Child(Base):
    def __init__(self):
        Base.__init__(self, "child")


Child()
