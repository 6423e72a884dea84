"""A desk that trips a kill switch past its limit and halts inside its context manager."""


class KillSwitchTripped(Exception):
    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


class Desk:
    def __init__(self, limit):
        self.limit = limit
        self.sent = 0

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is KillSwitchTripped:
            self.halt()
            return True
        return False

    def send(self, qty):
        if self.sent + qty > self.limit:
            raise KillSwitchTripped("limit")
        self.sent += qty

    def halt(self):
        notify("halted")


def notify(message):
    pass


with Desk(limit=10) as desk:
    for _ in range(5):
        desk.send(4)
