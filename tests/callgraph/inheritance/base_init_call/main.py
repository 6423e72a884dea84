class Venue:
    def __init__(self):
        self.open = False


class Local(Venue):
    def __init__(self):
        Venue.__init__(self)


Local()
