class Base:
    def speak(self):
        pass


class Child(Base):
    def speak(self):
        pass


Child().speak()
