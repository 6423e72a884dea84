"""Generators chained with a lambda filter and a closure-built stage."""


def read(rows):
    for row in rows:
        yield row


def keep(predicate, rows):
    for row in rows:
        if predicate(row):
            yield row


def scale(factor):
    def apply(rows):
        for row in rows:
            yield row * factor

    return apply


def run(rows):
    positive = keep(lambda r: r > 0, read(rows))
    doubled = scale(2)(positive)
    return sum(doubled)


run([1, -2, 3])
