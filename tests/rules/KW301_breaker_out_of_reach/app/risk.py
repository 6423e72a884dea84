def check(order):
    return order < 100


def guarded(fn):
    def run(gw, order):
        if not check(order):
            return None
        return fn(gw, order)
    return run
