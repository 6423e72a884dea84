class Context:
    def __init__(self):
        self.rounding = None

    def _shallow_copy(self):
        return Context()

    def _set_rounding(self, r):
        pass


def getcontext():
    return Context()


def exp(context=None):
    if context is None:
        context = getcontext()
    context = context._shallow_copy()
    context._set_rounding(1)


exp()
