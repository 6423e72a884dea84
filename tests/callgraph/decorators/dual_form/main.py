from functools import partial


def dispatchable(func=None, *, name=None):
    if func is None:
        return partial(dispatchable, name=name)
    func.dispatch_name = name or func.__name__
    return func


@dispatchable
def shortest_path():
    pass


@dispatchable(name="flow")
def max_flow():
    pass


@dispatchable(name="cut")
def min_cut():
    pass


shortest_path()
max_flow()
