import contextlib


class Session:
    def submit(self, order):
        return order

    def close(self):
        return None


@contextlib.contextmanager
def session():
    s = Session()
    try:
        yield s
    finally:
        s.close()


with session() as venue:
    venue.submit("buy")
