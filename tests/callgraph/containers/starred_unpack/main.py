def head():
    pass


def tail():
    pass


first, *rest = [head, tail, tail]
first()
for r in rest:
    r()
