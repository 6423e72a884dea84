import threading


class Venue:
    def send(self, qty):
        return qty


class Worker:
    def __init__(self, venue):
        self.venue = venue

    def run(self, qty):
        self.venue.send(qty)


def later(venue, qty):
    venue.send(qty)


worker = Worker(Venue())
t = threading.Thread(target=worker.run, args=(3,))
t.start()
t.join()
timer = threading.Timer(0.01, later, args=(Venue(),), kwargs={"qty": 4})
timer.start()
timer.join()
