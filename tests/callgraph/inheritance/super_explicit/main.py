class Venue:
    def connect(self):
        pass


class Kraken(Venue):
    def connect(self):
        super(Kraken, self).connect()


Kraken().connect()
