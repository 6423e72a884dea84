class Venue:
    def ping(self):
        pass


def ping_all(venues: list[Venue]):
    for v in venues:
        v.ping()
