import sys


def f1():
    pass


def f2():
    pass


table = {"a": f1, "b": f2}


def dispatch(kind):
    table[kind]()


name = (sys.argv[1:] or ["a"])[0]
table[name]()
dispatch("a")
dispatch(sys.argv[-1])
