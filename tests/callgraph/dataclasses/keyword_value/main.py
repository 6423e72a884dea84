from abc import ABC, abstractmethod
from dataclasses import dataclass


class Risk(ABC):
    @abstractmethod
    def check(self):
        ...


class StrictRisk(Risk):
    def check(self):
        pass


@dataclass
class Desk:
    name: str
    risk: Risk


desk = Desk(name="fx", risk=StrictRisk())
desk.risk.check()
