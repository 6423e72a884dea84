class Fix:
    def __init__(self):
        pass


class Rest:
    def __init__(self):
        pass


def build(kind):
    return kind()


build(Fix)
build(Rest)
