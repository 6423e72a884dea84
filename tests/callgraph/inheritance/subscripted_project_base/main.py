from typing import Generic, TypeVar

T = TypeVar("T")


class Base(Generic[T]):
    def helper(self):
        pass


class Sub(Base[int]):
    def run(self):
        self.helper()


Sub().run()
