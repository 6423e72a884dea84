import sys


def start():
    pass


def stop():
    pass


action = start
if len(sys.argv) > 1:
    action = stop
action()
