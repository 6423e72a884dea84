"""A flag picks the order router; the legacy one has no circuit breaker."""


class CircuitBreaker:
    def __init__(self, limit):
        self.limit = limit
        self.filled = 0

    def allow(self, qty):
        return self.filled + qty <= self.limit

    def record(self, qty):
        self.filled += qty


class Router:
    def __init__(self):
        self.breaker = CircuitBreaker(100)

    def send(self, qty):
        if self.breaker.allow(qty):
            self.breaker.record(qty)
            emit(qty)


class PowerPeg(Router):
    def send(self, qty):
        emit(qty)


def emit(qty):
    pass


def make_router(legacy):
    if legacy:
        return PowerPeg()
    return Router()


for legacy in (False, True):
    make_router(legacy).send(10)
