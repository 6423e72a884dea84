class Link:
    def __init__(self, venue):
        self.venue = venue

    def submit(self):
        pass


links = [Link(v) for v in ("a", "b")]
links[0].submit()
