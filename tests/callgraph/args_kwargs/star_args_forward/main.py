def target(a, b):
    pass


def forward(*args):
    target(*args)


forward(1, 2)
