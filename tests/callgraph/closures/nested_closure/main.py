def target():
    pass


def outer(f):
    def middle():
        def inner():
            f()

        return inner

    return middle


outer(target)()()
