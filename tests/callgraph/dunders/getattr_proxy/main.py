class Broker:
    def place(self, qty):
        pass

    def cancel(self, oid):
        pass


class Audited:
    def __init__(self, inner):
        self._inner = inner

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def report(self):
        pass


proxy = Audited(Broker())
proxy.place(3)
proxy.report()
