from typing import NamedTuple


def buy():
    pass


class Rule(NamedTuple):
    name: str
    action: object


r = Rule("b", buy)
r.action()
