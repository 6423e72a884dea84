def add(a, b):
    return a + b


def sub(a, b):
    return a - b


def choose(op):
    if op == "+":
        return add
    return sub


choose("+")(1, 2)
choose("-")(3, 1)
