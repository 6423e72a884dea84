def a():
    pass


def b():
    pass


def handlers():
    yield a
    yield b


for h in handlers():
    h()
