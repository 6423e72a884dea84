from functools import partial


class Venue:
    def cancel(self):
        pass


def cancel_all(venue):
    venue.cancel()


job = partial(cancel_all, venue=Venue())
job()
