def a():
    b()


def b():
    c()


def c():
    pass


a()
