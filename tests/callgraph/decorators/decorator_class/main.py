class CountCalls:
    def __init__(self, f):
        self.f = f
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return self.f()


@CountCalls
def hello():
    pass


hello()
