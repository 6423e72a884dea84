import functools


class Emitter:
    def __init__(self):
        self.pending = []

    def queue(self, link, msg):
        self.pending.append(functools.partial(self._emit, link, msg))

    def flush(self):
        for job in self.pending:
            job()

    def _emit(self, link, msg):
        link.send(msg)


class Link:
    def send(self, msg):
        pass


e = Emitter()
e.queue(Link(), "hi")
e.flush()
