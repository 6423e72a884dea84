ON = set()


def is_on(key):
    return key in ON
