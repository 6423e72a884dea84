def undo1():
    pass


def undo2():
    pass


for u in reversed([undo1, undo2]):
    u()
