class Desk:
    def open(self):
        pass

    def close(self):
        pass


d = Desk()
steps = [d.open, d.close]
for s in steps:
    s()
