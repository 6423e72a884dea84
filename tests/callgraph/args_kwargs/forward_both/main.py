def target(x, handler):
    handler(x)


def show(x):
    pass


def relay(*args, **kwargs):
    return target(*args, **kwargs)


relay(1, handler=show)
