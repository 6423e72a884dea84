from dataclasses import dataclass, field


class Journal:
    def __init__(self):
        pass

    def write(self):
        pass


@dataclass
class Session:
    journal: Journal = field(default_factory=Journal)


Session().journal.write()
