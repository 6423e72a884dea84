import sys


def is_on(key):
    return key in sys.argv[1:]
