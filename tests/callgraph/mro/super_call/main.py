class Base:
    def __init__(self):
        pass

    def save(self):
        pass


class Child(Base):
    def __init__(self):
        super().__init__()

    def save(self):
        super().save()


Child().save()
