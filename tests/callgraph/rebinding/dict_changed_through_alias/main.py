import sys


def start():
    pass


def stop():
    pass


actions = {"go": start}
same = actions
if len(sys.argv) > 1:
    same["go"] = stop
actions["go"]()
