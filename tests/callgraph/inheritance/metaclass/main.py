REGISTRY = {}


class Registered(type):
    def __new__(mcs, name, bases, namespace):
        return super().__new__(mcs, name, bases, namespace)

    def __init__(cls, name, bases, namespace):
        super().__init__(name, bases, namespace)
        REGISTRY[name] = cls


class Strategy(metaclass=Registered):
    def run(self):
        pass


class Plain:
    pass


Strategy().run()
