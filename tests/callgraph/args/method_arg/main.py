class Counter:
    def bump(self):
        pass


def twice(f):
    f()
    f()


c = Counter()
twice(c.bump)
