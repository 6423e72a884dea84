def visible():
    pass


def _private():
    pass
