def apply(f):
    f()


def func():
    pass


apply(func)
