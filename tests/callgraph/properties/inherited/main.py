class Base:
    @property
    def name(self):
        return self.describe()

    def describe(self):
        return "base"


class Child(Base):
    def describe(self):
        return "child"


Child().name
