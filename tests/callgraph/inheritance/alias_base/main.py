class Base:
    def hello(self):
        pass


Alias = Base


class Child(Alias):
    def go(self):
        self.hello()


Child().go()
