f = lambda x: x + 1
f(1)
