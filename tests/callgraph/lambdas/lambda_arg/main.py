def apply(f, value):
    return f(value)


apply(lambda v: v * 3, 2)
