import sys


def start():
    pass


def stop():
    pass


def switch():
    global action
    action = stop


action = start
if len(sys.argv) > 1:
    switch()
action()
