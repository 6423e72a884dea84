import atexit
import sched


class Venue:
    def send(self, qty):
        return qty


def fire(venue, qty):
    venue.send(qty)


def flush(venue):
    venue.send(0)


s = sched.scheduler()
s.enter(0, 1, fire, argument=(Venue(), 2))
s.run()
atexit.register(flush, Venue())
