def apply(f):
    f()


def first():
    pass


def second():
    pass


apply(first)
apply(second)
