from functools import singledispatch


class Market:
    pass


class Block:
    pass


def place(order):
    pass


@singledispatch
def route(order):
    raise TypeError(order)


@route.register
def _(order: Market):
    place(order)


@route.register(Block)
def _(order):
    place(order)


route(Market())
