from .util import helper


def run():
    helper()
