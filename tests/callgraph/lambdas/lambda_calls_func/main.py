def double(x):
    return x * 2


apply = lambda x: double(x)
apply(2)
