from functools import partial


class Fill:
    def opposite(self):
        return "S"


class Venue:
    def send(self, side):
        pass


def hedge(fill, venue):
    venue.send(fill.opposite())


hooks = [partial(hedge, Fill())]
for hook in hooks:
    hook(Venue())
