from dataclasses import dataclass, field


class Leg:
    def __init__(self):
        pass

    def hedge(self):
        pass


@dataclass
class Spread:
    legs: list[Leg] = field(default_factory=list)

    def hedge(self):
        for leg in self.legs:
            leg.hedge()


Spread([Leg()]).hedge()
