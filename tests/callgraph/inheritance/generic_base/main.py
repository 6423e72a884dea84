from typing import Generic, TypeVar

T = TypeVar("T")


class Field(Generic[T]):
    def clean(self, value):
        return self.convert(value)

    def convert(self, value):
        return value


class Number(Field[int]):
    def convert(self, value):
        return self.round(value)

    def round(self, value):
        return value


Number().clean(3)
