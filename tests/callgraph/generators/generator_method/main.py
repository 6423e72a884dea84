class Reader:
    def lines(self):
        yield self.parse("a")

    def parse(self, s):
        return s


r = Reader()
gen = r.lines()
next(gen)
