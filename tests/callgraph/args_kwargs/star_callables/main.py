def call_all(*funcs):
    for f in funcs:
        f()


def one():
    pass


def two():
    pass


call_all(one, two)
