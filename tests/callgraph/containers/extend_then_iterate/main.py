def a():
    pass


def b():
    pass


steps = []
steps.extend([a, b])
for s in steps:
    s()
