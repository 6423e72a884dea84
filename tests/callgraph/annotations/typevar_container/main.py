from typing import Callable, Type, TypeVar

T = TypeVar("T")


class Container:
    def __init__(self):
        self._providers = {}

    def register(self, key: Type[T], provider: Callable[[], T]) -> None:
        self._providers[key] = provider

    def resolve(self, key: Type[T]) -> T:
        return self._providers[key]()


class Venue:
    def submit(self):
        pass


class Router:
    def submit(self):
        pass


container = Container()
container.register(Venue, lambda: Venue())
container.register(Router, lambda: Router())
container.resolve(Venue).submit()
