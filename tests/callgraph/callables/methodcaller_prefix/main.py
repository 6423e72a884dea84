from operator import methodcaller


class Formatter:
    def fmt_ack(self, n):
        return str(n)

    def fmt_fill(self, n):
        return str(n)

    def close(self):
        pass


def render(kind, n):
    return methodcaller("fmt_" + kind, n)(Formatter())


render("ack", 1)
render("fill", 2)
