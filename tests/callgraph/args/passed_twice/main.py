def inner_apply(g):
    g()


def outer_apply(f):
    inner_apply(f)


def target():
    pass


outer_apply(target)
