def first():
    pass


def second():
    pass


funcs = [first, second]
funcs[1]()
