class Venue:
    def close(self):
        pass


venues = [Venue(), Venue()]
for i, v in enumerate(venues):
    v.close()
