def alpha():
    pass


def beta():
    pass


def wrap(f):
    def call():
        f()

    return call


handlers = [wrap(alpha), wrap(beta)]
for h in handlers:
    h()
