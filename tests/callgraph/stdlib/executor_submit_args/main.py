from concurrent.futures import ThreadPoolExecutor


class Venue:
    def send(self, qty):
        return qty


def child(venue, qty):
    return venue.send(qty)


def each(venue):
    return venue.send(1)


with ThreadPoolExecutor(max_workers=2) as pool:
    pool.submit(child, Venue(), qty=5)
    list(pool.map(each, [Venue()]))
