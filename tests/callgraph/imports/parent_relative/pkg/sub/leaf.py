from ..core import base


def go():
    base()
