import sys


def start():
    pass


def stop():
    pass


actions = {"go": start}


def rewire():
    actions["go"] = stop


if len(sys.argv) > 1:
    rewire()
actions["go"]()
