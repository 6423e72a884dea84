def make_caller(f):
    def call():
        f()

    return call


def target():
    pass


make_caller(target)()
