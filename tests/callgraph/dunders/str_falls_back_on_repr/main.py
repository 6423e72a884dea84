class Venue:
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return "Venue(" + self.name + ")"


class Route:
    def __init__(self, venue):
        self.venue = venue

    def __repr__(self):
        return "Route"

    def __str__(self):
        return "route to " + self.name()

    def name(self):
        return "x"


venue = Venue("XNYS")
route = Route(venue)
message = f"sending via {venue}"
label = str(route)
