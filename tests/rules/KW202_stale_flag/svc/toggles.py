import enum


class Flag(str, enum.Enum):
    SEARCH_V2 = "search.v2"
    DUNNING = "billing.dunning"


class Toggles:
    def __init__(self, on):
        self.on = set(on)

    def is_enabled(self, key):
        return key in self.on
