from typing import Protocol, TypeVar

T = TypeVar("T")


class Source(Protocol[T]):
    def read(self) -> T:
        ...


class Feed(Source[int]):
    def __init__(self):
        pass

    def read(self):
        return 1


def consume(src: Source[int]):
    return src.read()


consume(Feed())
