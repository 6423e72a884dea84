def run(x, callback=None):
    callback(x)


def handler(x):
    pass


run(1, callback=handler)
