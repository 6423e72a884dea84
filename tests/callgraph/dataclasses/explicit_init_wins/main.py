from dataclasses import dataclass


def a():
    pass


def b():
    pass


@dataclass(init=False)
class Job:
    run: object

    def __init__(self, fn):
        self.run = b


Job(a).run()
