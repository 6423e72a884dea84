def greet():
    name()


def name():
    pass
