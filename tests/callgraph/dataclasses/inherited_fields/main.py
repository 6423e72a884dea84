from dataclasses import dataclass


class Clock:
    def now(self):
        pass


@dataclass
class Base:
    clock: Clock


@dataclass
class Derived(Base):
    size: int

    def stamp(self):
        return self.clock.now()


Derived(Clock(), 3).stamp()
