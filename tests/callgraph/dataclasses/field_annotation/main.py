from dataclasses import dataclass


class Pricer:
    def reprice(self):
        pass


@dataclass
class Book:
    pricer: Pricer

    def update(self):
        self.pricer.reprice()


Book(Pricer()).update()
