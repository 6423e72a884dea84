def fetch(i):
    return i


def stream(n):
    for i in range(n):
        yield fetch(i)


total = sum(stream(3))
