first = lambda: 1
second = lambda: 2


def func():
    inner = lambda: 3
    return inner()


second()
func()
