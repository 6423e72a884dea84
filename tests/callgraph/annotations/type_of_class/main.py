from typing import Type


class Handler:
    def __init__(self):
        pass


def make(kind: Type[Handler]):
    return kind()
