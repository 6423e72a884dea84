from abc import ABC, abstractmethod


class Gateway(ABC):
    @abstractmethod
    def send(self, order):
        ...


class Fix(Gateway):
    def send(self, order):
        pass


class Rest(Gateway):
    def send(self, order):
        pass


def route(gw: Gateway, order):
    gw.send(order)


route(Fix(), 1)
route(Rest(), 2)
