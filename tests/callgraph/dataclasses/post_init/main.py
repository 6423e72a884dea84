from dataclasses import dataclass


@dataclass
class Order:
    qty: int

    def __post_init__(self):
        self.validate()

    def validate(self):
        pass


Order(1)
