def f1():
    pass


def f2():
    pass


table = {"a": f1, "b": f2}
table["a"]()
